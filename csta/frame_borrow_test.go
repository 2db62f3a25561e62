package csta

import (
	"bytes"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// readFramesCopied reads every frame of stream, copying the bodies, and the error that ended it.
func readFramesCopied(framing Framing, stream []byte, borrow, oneByte bool) ([]Frame, string) {
	var r io.Reader = bytes.NewReader(stream)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	fr := framing.NewReader(r, 4096)
	if borrow {
		fr.(interface{ borrowBodies() }).borrowBodies()
	}
	var out []Frame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return out, err.Error()
		}
		f.Body = append([]byte(nil), f.Body...)
		out = append(out, f)
	}
}

// checkBorrowSame fails when borrowed bodies read differently from owned ones, in either
// framing.
func checkBorrowSame(t *testing.T, stream []byte) {
	t.Helper()
	for _, framing := range []Framing{HeaderFraming{}, NULFraming{}} {
		for _, oneByte := range []bool{false, true} {
			owned, errOwned := readFramesCopied(framing, stream, false, oneByte)
			borrowed, errBorrowed := readFramesCopied(framing, stream, true, oneByte)
			if !reflect.DeepEqual(owned, borrowed) || errOwned != errBorrowed {
				t.Fatalf("%s stream %q:\nowned    %v %s\nborrowed %v %s", framing.Name(), stream, owned, errOwned, borrowed, errBorrowed)
			}
		}
	}
}

func TestFramingBorrowedBodies(t *testing.T) {
	var stream []byte
	for i, body := range []string{"<x/>", "", "<y>" + string(bytes.Repeat([]byte("z"), 3000)) + "</y>", "<w/>"} {
		stream = append(stream, headerFrame(t, i+1, body)...)
	}
	stream = append(stream, loadFixture(t, "osv-OriginatedEvent.frame")...)
	stream = append(stream, "<A/>\x00 \x00<B>"+string(bytes.Repeat([]byte("b"), 5000))+"</B>\x00<C/>\x00"...)
	checkBorrowSame(t, stream)
	for n := 0; n < len(stream); n += 1 + n/64 {
		checkBorrowSame(t, stream[:n]) // cut short: the same frames, then the same error
	}
}

func FuzzReadFrameBorrowed(f *testing.F) {
	f.Add(append(headerFrame(f, 9999, "<x/>"), headerFrame(f, 1, "<y/>")...))
	f.Add(loadFixture(f, "osv-OriginatedEvent.frame"))
	f.Fuzz(checkBorrowSame)
}

// TestDecodeKeepsNothingOfInput: what Decode returns does not point into the document, so
// that the link's reader can lend the decoder its read buffer (borrowBodies).
func TestDecodeKeepsNothingOfInput(t *testing.T) {
	docs := fastSeeds(t)
	for _, in := range equivInputs(t) {
		docs = append(docs, in.data)
	}
	for _, doc := range docs {
		want, wantErr := Decode(doc)
		buf := append([]byte(nil), doc...)
		got, gotErr := Decode(buf)
		for i := range buf {
			buf[i] = 'X'
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("the result of %q changed with its input:\nbefore %#v %v\nafter  %#v %v", doc, want, wantErr, got, gotErr)
		}
	}
}
