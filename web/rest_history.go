package web

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ctibridge/ctibridge/store"
)

// History paging: the default page, and how many store calls one request may make to fill
// a page (each store call examines a bounded number of records, so a selective filter over a
// long history may need several; the reply then carries a short page and `next`).
const (
	defaultHistoryLimit = 50
	historyStoreCalls   = 20
	historyTimeout      = 10 * time.Second
)

// history serves GET /api/v1/history: call records of the lines the caller may see, newest
// first, filtered, paged by an opaque cursor, as JSON or CSV.
func (s *Server) history(c *gin.Context) {
	q, ok := s.historyQuery(c)
	if !ok {
		return
	}
	if q.Lines != nil && len(q.Lines) == 0 { // the user may see no line
		if wantsCSV(c) {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.String(http.StatusOK, strings.Join(csvHeader, ",")+"\n")
		} else {
			c.JSON(http.StatusOK, gin.H{"records": []store.JournalEntry{}, "limit": q.Limit})
		}
		return
	}
	if wantsCSV(c) {
		s.historyCSV(c, q)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), historyTimeout)
	defer cancel()
	page, err := s.historyPage(ctx, q)
	if err != nil {
		historyProblem(c, err)
		return
	}
	out := make([]store.JournalEntry, len(page.Records))
	for i, r := range page.Records {
		out[i] = r.WithNumbers(s.numbering(r.PBX).ToE164)
	}
	resp := gin.H{"records": out, "limit": q.Limit}
	if page.Next != "" {
		resp["next"] = page.Next
	}
	c.JSON(http.StatusOK, resp)
}

// historyPage fills one page of q with up to historyStoreCalls store calls.
func (s *Server) historyPage(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error) {
	var out store.HistoryPage
	limit := q.Limit
	for range historyStoreCalls {
		page, err := s.svc.History(ctx, q)
		if err != nil {
			return store.HistoryPage{}, err
		}
		out.Records = append(out.Records, page.Records...)
		out.Next = page.Next
		if page.Next == "" || len(out.Records) >= limit {
			break
		}
		q.Cursor, q.Limit = page.Next, limit-len(out.Records)
	}
	return out, nil
}

func historyProblem(c *gin.Context, err error) {
	if errors.Is(err, store.ErrBadQuery) {
		problem(c, probBadParameter, "", err.Error())
		return
	}
	problem(c, probStoreUnavailable, "", "history: "+err.Error())
}

// historyQuery reads and checks the query parameters and applies the caller's line ACL.
func (s *Server) historyQuery(c *gin.Context) (store.HistoryQuery, bool) {
	q := store.HistoryQuery{Cursor: c.Query("cursor"), Direction: c.Query("direction"), Outcome: c.Query("outcome")}
	ok := historyPaging(c, &q) && historyTimes(c, &q) && s.historyFilters(c, &q) && s.historyLines(c, &q)
	return q, ok
}

// historyPaging reads limit, direction and outcome.
func historyPaging(c *gin.Context, q *store.HistoryQuery) bool {
	limit, ok := queryInt(c, "limit", defaultHistoryLimit, store.MaxHistoryLimit)
	if !ok {
		return false
	}
	if limit == 0 {
		problem(c, probBadParameter, "limit", "limit must be at least 1")
		return false
	}
	q.Limit = limit
	if q.Direction != "" && !slices.Contains(store.Directions, q.Direction) {
		problem(c, probBadParameter, "direction", "direction must be one of "+strings.Join(store.Directions, ", "))
		return false
	}
	if q.Outcome != "" && !slices.Contains(store.Outcomes, q.Outcome) {
		problem(c, probBadParameter, "outcome", "outcome must be one of "+strings.Join(store.Outcomes, ", "))
		return false
	}
	return true
}

// historyTimes reads the from/to range.
func historyTimes(c *gin.Context, q *store.HistoryQuery) bool {
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(t.name); v != "" {
			at, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				problem(c, probBadParameter, t.name, t.name+" must be an RFC 3339 time such as 2026-01-31T08:00:00Z, not "+v)
				return false
			}
			*t.to = at
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		problem(c, probBadParameter, "from", "from must be before to")
		return false
	}
	return true
}

// historyFilters reads the number and PBX filters.
func (s *Server) historyFilters(c *gin.Context, q *store.HistoryQuery) bool {
	if n := c.Query("number"); n != "" {
		clean, err := cleanNumber(n)
		if err != nil {
			problem(c, probBadParameter, "number", "number: "+err.Error())
			return false
		}
		q.Number = clean
		// "+49301234567", "030 1234567" and what the PBX reported all match one another.
		q.NumberForm = func(pbx, number string) string { return s.numbering(pbx).ToE164(number) }
	}
	if pbx := c.Query("pbx"); pbx != "" {
		if !slices.Contains(s.svc.PBXs(), pbx) {
			problem(c, probUnknownPBX, "pbx", "no PBX "+pbx+" is configured")
			return false
		}
		q.PBXs = []string{pbx}
	}
	return true
}

// historyLines reads the line and user filters and limits the query to the lines the user
// (the caller, or for an admin the user asked for) may see.
func (s *Server) historyLines(c *gin.Context, q *store.HistoryQuery) bool {
	p := principalOf(c)
	who := p
	if name := c.Query("user"); name != "" {
		if !p.isAdmin() {
			problem(c, probForbidden, "user", "only an admin may ask for another user's history")
			return false
		}
		if who = s.auth.byName(name); who == nil {
			problem(c, probBadParameter, "user", "no user "+name+" is configured")
			return false
		}
	}
	var asked []string
	for _, v := range c.QueryArray("line") {
		for l := range strings.SplitSeq(v, ",") {
			if l = strings.TrimSpace(l); l == "" {
				continue
			}
			if !p.canSee(l) {
				problem(c, probUnknownLine, "line", "no line "+l+" that this token may see")
				return false
			}
			asked = append(asked, l)
		}
	}
	q.Lines = asked
	if who.Role != RoleSupervisor && who.Role != RoleAdmin && !who.owns("*") {
		visible := s.visibleLineNames(who)
		if len(asked) > 0 {
			visible = slices.DeleteFunc(asked, func(l string) bool { return !who.canSee(l) })
		}
		q.Lines = append([]string{}, visible...) // non-nil: empty means no line at all
	}
	return true
}

// visibleLineNames returns the configured lines p may see.
func (s *Server) visibleLineNames(p *principal) []string {
	var out []string
	for _, l := range p.visibleLines(s.svc.Lines("")) {
		out = append(out, l.Name)
	}
	return out
}

// byName returns the configured user called name, nil when there is none.
func (a *authenticator) byName(name string) *principal {
	for _, p := range a.byHash {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func wantsCSV(c *gin.Context) bool {
	if f := c.Query("format"); f != "" {
		return f == "csv"
	}
	return strings.Contains(c.GetHeader("Accept"), "text/csv")
}

// csvHeader names the CSV export's columns.
var csvHeader = []string{"id", "pbx", "line", "direction", "outcome", "started", "answered", "ended",
	"ringMs", "talkMs", "callerNumber", "callerName", "calledNumber", "calledName", "connectedNumber",
	"connectedName", "answeredByNumber", "answeredByName", "chain", "callId", "handle"}

// historyCSV streams every record q selects from its cursor on, page by page, as CSV with a
// header row. A store failure after the first row can only end the stream early.
func (s *Server) historyCSV(c *gin.Context, q store.HistoryQuery) {
	ctx := c.Request.Context()
	first, err := s.svc.History(ctx, q)
	if err != nil {
		historyProblem(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="call-history.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(csvHeader)
	page := first
	for {
		for _, r := range page.Records {
			_ = w.Write(csvRow(r.WithNumbers(s.numbering(r.PBX).ToE164)))
		}
		w.Flush()
		c.Writer.Flush()
		if page.Next == "" || w.Error() != nil {
			return
		}
		q.Cursor = page.Next
		if page, err = s.svc.History(ctx, q); err != nil {
			s.log.WithError(err).Warn("history CSV export ended early: the store failed")
			return
		}
	}
}

func csvRow(r store.JournalEntry) []string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	var chain []string
	for _, st := range r.Chain {
		chain = append(chain, st.Kind+" "+st.From.Number+">"+st.To.Number)
	}
	return []string{r.ID, r.PBX, r.Line, r.Direction, r.Outcome, at(r.Started), at(r.Answered), at(r.Ended),
		strconv.FormatInt(r.RingMs, 10), strconv.FormatInt(r.TalkMs, 10), r.Caller.Number, csvText(r.Caller.Name),
		r.Called.Number, csvText(r.Called.Name), r.Connected.Number, csvText(r.Connected.Name), r.AnsweredBy.Number,
		csvText(r.AnsweredBy.Name), strings.Join(chain, "; "), r.CallID, string(r.Handle)}
}

// csvText keeps a name (which callers and directories choose) from being read as a formula
// by a spreadsheet: a leading =, +, -, @ or control character gets a quote before it.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
