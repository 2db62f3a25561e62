package csta

import (
	"bytes"
	"reflect"
	"testing"
	"testing/iotest"
)

// readFramesCopied reads every frame of stream, copying the bodies, and the error that ended it.
func readFramesCopied(stream []byte, borrow, oneByte bool) ([]Frame, string) {
	var r = bytes.NewReader(stream)
	fr := HeaderFraming{}.NewReader(r, 4096).(*headerReader)
	if oneByte {
		fr = HeaderFraming{}.NewReader(iotest.OneByteReader(r), 4096).(*headerReader)
	}
	if borrow {
		fr.borrowBodies()
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

// checkBorrowSame fails when borrowed bodies read differently from owned ones.
func checkBorrowSame(t *testing.T, stream []byte) {
	t.Helper()
	for _, oneByte := range []bool{false, true} {
		owned, errOwned := readFramesCopied(stream, false, oneByte)
		borrowed, errBorrowed := readFramesCopied(stream, true, oneByte)
		if !reflect.DeepEqual(owned, borrowed) || errOwned != errBorrowed {
			t.Fatalf("stream %q:\nowned    %v %s\nborrowed %v %s", stream, owned, errOwned, borrowed, errBorrowed)
		}
	}
}

func TestHeaderFramingBorrowedBodies(t *testing.T) {
	var stream []byte
	for i, body := range []string{"<x/>", "", "<y>" + string(bytes.Repeat([]byte("z"), 3000)) + "</y>", "<w/>"} {
		stream = append(stream, headerFrame(t, i+1, body)...)
	}
	stream = append(stream, loadFixture(t, "osv-OriginatedEvent.frame")...)
	checkBorrowSame(t, stream)
	for n := range len(stream) {
		checkBorrowSame(t, stream[:n]) // cut anywhere: the same frames, then the same error
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
