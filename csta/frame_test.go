package csta

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns the stream in the given read sizes, then the rest, then io.EOF:
// TCP may split or coalesce frames anywhere.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = min(c.sizes[0], n)
		c.sizes = c.sizes[1:]
	}
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func loadFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func headerFrame(t testing.TB, id int, body string) []byte {
	t.Helper()
	b, err := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: id, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(t *testing.T, fr FrameReader) ([]Frame, error) {
	t.Helper()
	var out []Frame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
}

func TestHeaderFramingRealFrame(t *testing.T) {
	raw := loadFixture(t, "osv-OriginatedEvent.frame")
	f, err := HeaderFraming{}.NewReader(bytes.NewReader(raw), 0).ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if f.InvokeID != EventInvokeID {
		t.Errorf("invoke ID = %d, want %d", f.InvokeID, EventInvokeID)
	}
	if len(f.Body) != len(raw)-headerLen || !bytes.HasPrefix(f.Body, []byte("<?xml")) ||
		!bytes.HasSuffix(f.Body, []byte("</OriginatedEvent>")) {
		t.Errorf("body of %d bytes does not span the document: %.40q...", len(f.Body), f.Body)
	}
	again, err := HeaderFraming{}.AppendFrame(nil, f)
	if err != nil || !bytes.Equal(again, raw) {
		t.Errorf("re-encoded frame differs from the capture (err %v)", err)
	}
}

func TestHeaderFramingSplitAndCoalescedReads(t *testing.T) {
	a := headerFrame(t, 1, "<A/>")
	b := headerFrame(t, 9999, "<BEvent>x</BEvent>")
	stream := append(append([]byte{}, a...), b...)
	cases := map[string]io.Reader{
		"header and body in separate reads": &chunkReader{data: stream, sizes: []int{8, len(a) - 8, 8}},
		"header split across reads":         &chunkReader{data: stream, sizes: []int{3, 2, 4}},
		"byte at a time":                    iotest.OneByteReader(bytes.NewReader(stream)),
		"two frames in one read":            &chunkReader{data: stream},
		"second frame starts mid read":      &chunkReader{data: stream, sizes: []int{len(a) + 5}},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			frames, err := readAll(t, HeaderFraming{}.NewReader(r, 0))
			if err != io.EOF {
				t.Fatalf("end of stream: got %v, want io.EOF", err)
			}
			if len(frames) != 2 || frames[0].InvokeID != 1 || string(frames[0].Body) != "<A/>" ||
				frames[1].InvokeID != 9999 || string(frames[1].Body) != "<BEvent>x</BEvent>" {
				t.Fatalf("frames = %+v", frames)
			}
		})
	}
}

func TestHeaderFramingBadFrames(t *testing.T) {
	good := headerFrame(t, 42, "<SystemStatus/>")
	cases := []struct {
		name   string
		stream []byte
		max    int
		want   *FrameError
		cause  error
	}{
		{"EOF mid header", good[:5], 0, ErrFrameTruncated, io.ErrUnexpectedEOF},
		{"EOF mid body", good[:12], 0, ErrFrameTruncated, io.ErrUnexpectedEOF},
		{"length below header", []byte("\x00\x00\x00\x070001"), 0, ErrFrameBadLength, nil},
		{"zero length", []byte("\x00\x00\x00\x000001<x/>"), 0, ErrFrameBadLength, nil},
		{"non-digit invoke ID", []byte("\x00\x00\x00\x0c00a1<x/>"), 0, ErrFrameBadInvokeID, nil},
		{"space in invoke ID", []byte("\x00\x00\x00\x0c 001<x/>"), 0, ErrFrameBadInvokeID, nil},
		{"non-zero prefix", []byte("\x01\x00\x00\x0c0001<x/>"), 0, ErrFrameBadPrefix, nil},
		{"XML without header", []byte("<?xml version=\"1.0\"?><x/>"), 0, ErrFrameBadPrefix, nil},
		{"oversize", good, 16, ErrFrameTooLarge, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := HeaderFraming{}.NewReader(bytes.NewReader(tc.stream), tc.max).ReadFrame()
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want kind %v", err, tc.want.Kind)
			}
			if fe.Framing != "header" || fe.Detail == "" {
				t.Errorf("error lacks framing name or detail: %+v", fe)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("err = %v, want cause %v", err, tc.cause)
			}
		})
	}
}

func TestHeaderFramingCleanEOFAndTransportError(t *testing.T) {
	if _, err := (HeaderFraming{}).NewReader(bytes.NewReader(nil), 0).ReadFrame(); err != io.EOF {
		t.Errorf("empty stream: err = %v, want io.EOF", err)
	}
	boom := errors.New("connection reset")
	_, err := HeaderFraming{}.NewReader(iotest.ErrReader(boom), 0).ReadFrame()
	if err != boom {
		t.Errorf("transport error between frames: err = %v, want it unchanged", err)
	}
	r := io.MultiReader(bytes.NewReader([]byte{0, 0, 0}), iotest.ErrReader(boom))
	_, err = HeaderFraming{}.NewReader(r, 0).ReadFrame()
	if !errors.Is(err, ErrFrameTruncated) || !errors.Is(err, boom) {
		t.Errorf("transport error mid header: err = %v, want truncated wrapping the cause", err)
	}
}

func TestHeaderFramingAppendErrors(t *testing.T) {
	for _, id := range []int{-1, 10000} {
		if _, err := (HeaderFraming{}).AppendFrame(nil, Frame{InvokeID: id, Body: []byte("<x/>")}); !errors.Is(err, ErrFrameBadInvokeID) {
			t.Errorf("invoke ID %d: err = %v, want bad invoke ID", id, err)
		}
	}
	big := Frame{InvokeID: 1, Body: make([]byte, maxHeaderFrame-headerLen+1)}
	if _, err := (HeaderFraming{}).AppendFrame(nil, big); !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("oversize body: err = %v, want too large", err)
	}
	big.Body = big.Body[:len(big.Body)-1]
	if b, err := (HeaderFraming{}).AppendFrame(nil, big); err != nil || len(b) != maxHeaderFrame {
		t.Errorf("largest body: len %d err %v", len(b), err)
	}
	b, _ := HeaderFraming{}.AppendFrame([]byte("keep"), Frame{InvokeID: 7, Body: []byte("<x/>")})
	if string(b) != "keep\x00\x00\x00\x0c0007<x/>" {
		t.Errorf("AppendFrame = %q", b)
	}
}

func TestNULFramingReads(t *testing.T) {
	stream := []byte("<A/>\x00\r\n<B>text</B>\x00\x00  \x00<C/>\x00\n")
	cases := map[string]io.Reader{
		"one read":       bytes.NewReader(stream),
		"byte at a time": iotest.OneByteReader(bytes.NewReader(stream)),
		"odd splits":     &chunkReader{data: stream, sizes: []int{2, 3, 7, 1}},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			frames, err := readAll(t, NULFraming{}.NewReader(r, 0))
			if err != io.EOF {
				t.Fatalf("end of stream: err = %v, want io.EOF", err)
			}
			var got []string
			for _, f := range frames {
				if f.InvokeID != 0 {
					t.Errorf("NUL frame carries invoke ID %d", f.InvokeID)
				}
				got = append(got, string(f.Body))
			}
			if strings.Join(got, "|") != "<A/>|<B>text</B>|<C/>" {
				t.Fatalf("frames = %q", got)
			}
		})
	}
}

func TestNULFramingBadFrames(t *testing.T) {
	fr := NULFraming{}.NewReader(strings.NewReader("<A/>\x00<B>cut"), 0)
	if f, err := fr.ReadFrame(); err != nil || string(f.Body) != "<A/>" {
		t.Fatalf("first frame = %q, %v", f.Body, err)
	}
	if _, err := fr.ReadFrame(); !errors.Is(err, ErrFrameTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("EOF mid document: err = %v, want truncated/unexpected EOF", err)
	}
	long := strings.Repeat("x", 100<<10) // longer than the bufio buffer, so ErrBufferFull paths run
	_, err := NULFraming{}.NewReader(strings.NewReader(long), 1000).ReadFrame()
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("no terminator before max: err = %v, want too large", err)
	}
	_, err = NULFraming{}.NewReader(strings.NewReader(long+"\x00"), 50<<10).ReadFrame()
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("terminated but over max: err = %v, want too large", err)
	}
	f, err := NULFraming{}.NewReader(strings.NewReader(long+"\x00"), 0).ReadFrame()
	if err != nil || len(f.Body) != len(long) {
		t.Errorf("large frame within max: len %d err %v", len(f.Body), err)
	}
	if _, err := (NULFraming{}).AppendFrame(nil, Frame{Body: []byte("<a>\x00</a>")}); !errors.Is(err, ErrFrameBadBody) {
		t.Errorf("NUL in body: err = %v, want bad body", err)
	}
	if _, err := (NULFraming{}).AppendFrame(nil, Frame{Body: []byte(" \n")}); !errors.Is(err, ErrFrameBadBody) {
		t.Errorf("empty body: err = %v, want bad body", err)
	}
	if _, err := (NULFraming{}).NewReader(strings.NewReader("\n \x00\r\n"), 0).ReadFrame(); err != io.EOF {
		t.Errorf("only separators: err = %v, want io.EOF", err)
	}
}

func TestFrameErrorIs(t *testing.T) {
	err := error(&FrameError{Framing: "header", Kind: FrameTooLarge, Detail: "length 70000"})
	if !errors.Is(err, ErrFrameTooLarge) || errors.Is(err, ErrFrameBadLength) {
		t.Errorf("errors.Is does not follow Kind: %v", err)
	}
	if !strings.Contains(err.Error(), "header frame too large: length 70000") {
		t.Errorf("message = %q", err)
	}
}

func BenchmarkHeaderReadFrame(b *testing.B) {
	frame := loadFixture(b, "osv-OriginatedEvent.frame")
	stream := bytes.Repeat(frame, 64)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	var r bytes.Reader
	for i := 0; i < b.N; i += 64 {
		r.Reset(stream)
		fr := HeaderFraming{}.NewReader(&r, 0)
		for range 64 {
			if _, err := fr.ReadFrame(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
