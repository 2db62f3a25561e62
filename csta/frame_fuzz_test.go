package csta

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadFrame feeds arbitrary streams to both framings: reading never panics, every
// failure is io.EOF or a *FrameError, and every frame read re-encodes to bytes that read
// back as the same frame.
func FuzzReadFrame(f *testing.F) {
	f.Add(headerFrame(f, 9999, "<x/>"), false)
	f.Add([]byte("<A/>\x00 <B/>\x00"), true)
	f.Add(loadFixture(f, "osv-OriginatedEvent.frame"), false)
	f.Fuzz(func(t *testing.T, data []byte, nul bool) {
		var framing Framing = HeaderFraming{}
		if nul {
			framing = NULFraming{}
		}
		const maxFrame = 4096
		fr := framing.NewReader(bytes.NewReader(data), maxFrame)
		for {
			got, err := fr.ReadFrame()
			if err != nil {
				var fe *FrameError
				if err != io.EOF && !errors.As(err, &fe) {
					t.Fatalf("error %v (%T) is neither io.EOF nor *FrameError", err, err)
				}
				return
			}
			wire, err := framing.AppendFrame(nil, got)
			if err != nil {
				t.Fatalf("frame read from the wire does not re-encode: %v", err)
			}
			back, err := framing.NewReader(bytes.NewReader(wire), maxFrame).ReadFrame()
			if err != nil {
				t.Fatalf("re-encoded frame does not read back: %v", err)
			}
			if back.InvokeID != got.InvokeID || !bytes.Equal(back.Body, got.Body) {
				t.Fatalf("round trip changed the frame: %+v -> %+v", got, back)
			}
		}
	})
}
