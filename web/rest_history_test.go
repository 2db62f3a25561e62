package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
)

type historyResp struct {
	Records []store.JournalEntry `json:"records"`
	Next    string               `json:"next"`
}

// historyLines pages through path as token and returns the records' lines, failing on a
// record returned twice.
func (e *env) historyAll(t *testing.T, token, query string) []store.JournalEntry {
	t.Helper()
	var out []store.JournalEntry
	seen := map[string]bool{}
	cursor := ""
	for range 100 {
		path := "/api/v1/history?" + query
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do("GET", path, token, nil)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
		var page historyResp
		r.decode(t, &page)
		for _, rec := range page.Records {
			require.False(t, seen[rec.ID], "record %s twice", rec.ID)
			seen[rec.ID] = true
		}
		out = append(out, page.Records...)
		if cursor = page.Next; cursor == "" {
			return out
		}
	}
	t.Fatalf("history paging of %q did not end", query)
	return nil
}

func linesOf(recs []store.JournalEntry) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Line)
	}
	slices.Sort(out)
	return out
}

// TestRESTHistory: three finished calls (a missed external call at 201, an internal call 202
// -> 203), seen through GET /api/v1/history with each user's rights, filters, paging and CSV.
func TestRESTHistory(t *testing.T) {
	e := newEnv(t, envOpts{})
	before := time.Now().UTC()
	_, err := e.sim.IncomingCall("00301234567", "201")
	require.NoError(t, err)
	e.eventually(5*time.Second, "201 ringing", func() bool { return len(e.eng.Calls("hq/201")) == 1 })
	require.NoError(t, e.sim.HangUp("00301234567"))
	_, err = e.sim.Dial("202", "203")
	require.NoError(t, err)
	e.eventually(5*time.Second, "203 ringing", func() bool { return len(e.eng.Calls("hq/203")) == 1 })
	require.NoError(t, e.sim.Answer("203"))
	e.eventually(5*time.Second, "202 and 203 talking", func() bool {
		c := e.eng.Calls("hq/202")
		return len(c) == 1 && !c[0].ConnectedAt.IsZero()
	})
	require.NoError(t, e.sim.HangUp("202"))
	e.eventually(5*time.Second, "three call records", func() bool {
		var page historyResp
		e.do("GET", "/api/v1/history", tokSue, nil).decode(t, &page)
		return len(page.Records) == 3
	})

	// Rights: a user sees the calls of their lines, a supervisor all, an admin a user's.
	require.Equal(t, []string{"hq/201"}, linesOf(e.historyAll(t, tokAlice, "")))
	require.Equal(t, []string{"hq/202"}, linesOf(e.historyAll(t, tokBob, "")))
	require.Equal(t, []string{"hq/201", "hq/202", "hq/203"}, linesOf(e.historyAll(t, tokSue, "limit=1")))
	require.Equal(t, []string{"hq/202"}, linesOf(e.historyAll(t, tokRoot, "user=bob")))
	require.Equal(t, []string{"hq/202", "hq/203"}, linesOf(e.historyAll(t, tokRoot, "line=hq/202,hq/203&line=hq/209")))
	require.Equal(t, []string{"hq/202"}, linesOf(e.historyAll(t, tokRoot, "user=bob&line=hq/202&line=hq/203")))
	require.Empty(t, e.historyAll(t, tokRoot, "user=bob&line=hq/203"), "bob may see no line asked for")
	r := e.do("GET", "/api/v1/history?user=bob&line=hq/203&format=csv", tokRoot, nil)
	require.Equal(t, strings.Join(csvHeader, ",")+"\n", string(r.body))

	missed := e.historyAll(t, tokAlice, "")[0]
	require.Equal(t, store.OutcomeAbandoned, missed.Outcome, "the caller hung up while it rang")
	require.Equal(t, store.DirectionInbound, missed.Direction)
	require.Equal(t, "+49301234567", missed.Caller.Number, "numbers in E.164")
	require.Equal(t, "Alice", missed.Called.Name)
	require.Zero(t, missed.TalkMs)

	// Filters.
	for q, want := range map[string][]string{
		"number=%2B49301234567":                          {"hq/201"},
		"number=00301234567":                             {"hq/201"},
		"number=203":                                     {"hq/202", "hq/203"},
		"direction=internal":                             {"hq/202", "hq/203"},
		"direction=inbound":                              {"hq/201"},
		"outcome=answered&limit=1":                       {"hq/202", "hq/203"},
		"outcome=abandoned":                              {"hq/201"},
		"pbx=hq&from=" + before.Format(time.RFC3339Nano): {"hq/201", "hq/202", "hq/203"},
		"to=" + before.Format(time.RFC3339Nano):          nil,
	} {
		require.Equal(t, want, linesOf(e.historyAll(t, tokSue, q)), q)
	}
	answered := e.historyAll(t, tokSue, "line=hq/203")[0]
	require.Equal(t, "203", answered.AnsweredBy.Number)
	require.Equal(t, answered.Ended.Sub(answered.Answered).Milliseconds(), answered.TalkMs)

	// Refusals.
	for _, c := range []struct {
		token, query string
		status       int
		field        string
	}{
		{tokAlice, "user=bob", http.StatusForbidden, "user"},
		{tokAlice, "line=hq/202", http.StatusNotFound, "line"},
		{tokRoot, "user=nobody", http.StatusBadRequest, "user"},
		{tokRoot, "pbx=nowhere", http.StatusNotFound, "pbx"},
		{tokRoot, "direction=sideways", http.StatusBadRequest, "direction"},
		{tokRoot, "outcome=lost", http.StatusBadRequest, "outcome"},
		{tokRoot, "from=yesterday", http.StatusBadRequest, "from"},
		{tokRoot, "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", http.StatusBadRequest, "from"},
		{tokRoot, "limit=0", http.StatusBadRequest, "limit"},
		{tokRoot, "limit=1001", http.StatusBadRequest, "limit"},
		{tokRoot, "number=12x", http.StatusBadRequest, "number"},
		{tokRoot, "cursor=garbage", http.StatusBadRequest, ""},
		{"", "", http.StatusUnauthorized, "Authorization"},
	} {
		r := e.do("GET", "/api/v1/history?"+c.query, c.token, nil)
		require.Equal(t, c.status, r.status, "%s: %s", c.query, r.body)
		require.Equal(t, c.field, r.problem(t).Field, c.query)
	}

	// CSV: a header row and every record, by format=csv or by Accept.
	r = e.do("GET", "/api/v1/history?format=csv&limit=1", tokSue, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.True(t, strings.HasPrefix(r.ctype, "text/csv"), r.ctype)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	require.Equal(t, csvHeader, rows[0])
	require.Equal(t, "hq/201", rows[3][2], "oldest last")
	require.Equal(t, "abandoned", rows[3][4])
	require.Equal(t, "+49301234567", rows[3][10])

	req, err := http.NewRequest("GET", e.hs.URL+"/api/v1/history", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokAlice)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	rows, err = csv.NewReader(resp.Body).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2, "alice's CSV holds her one call")
}

func TestCSVTextDefusesFormulas(t *testing.T) {
	require.Equal(t, "'=HYPERLINK(1)", csvText("=HYPERLINK(1)"))
	require.Equal(t, "'+1", csvText("+1"))
	require.Equal(t, "Alice", csvText("Alice"))
	require.Equal(t, "", csvText(""))
}
