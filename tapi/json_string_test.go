package tapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestAppendJSONStringEveryLength holds appendJSONString to Marshal for strings of every length
// its word-wise paths treat apart (1-3 bytes, 4-7, 8 and more, a multiple of 8 or not) with
// any byte at any place, and with a multi-byte character across each word boundary, after
// buffers of any spare capacity.
func TestAppendJSONStringEveryLength(t *testing.T) {
	check := func(s string, prefix []byte) {
		t.Helper()
		want, _ := json.Marshal(s)
		got := appendJSONString(prefix, s)
		if !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Fatalf("appendJSONString(%q) after %q = %s, want %s", s, prefix, got, want)
		}
	}
	plain := "hq/201 Anna Schmidt 10001"
	for n := range 26 {
		for p := range n {
			for c := range 256 {
				w := []byte(plain[:n])
				w[p] = byte(c)
				check(string(w), nil)
			}
			for _, r := range []string{"é", "日", "😀", "\u2028"} {
				check(plain[:p]+r+plain[p:n], make([]byte, 3, 3+n))
			}
		}
		check(plain[:n], nil)
		for spare := range n + 3 {
			check(plain[:n], make([]byte, 5, 5+spare))
		}
	}
	check(strings.Repeat("<a&b>", 40), nil)
}

// FuzzAppendJSONString holds appendJSONString to Marshal for any string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
	})
}
