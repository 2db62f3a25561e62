package testkit

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Page is one tab of a Browser. Its methods fail the test on a DevTools error.
type Page struct {
	t       testing.TB
	b       *Browser
	session string
	logs    []string // guarded by b.mu
}

// Call sends a command to the page (Page.*, Runtime.*, Input.*, ...) and decodes its result
// into out (nil: ignored).
func (p *Page) Call(method string, params, out any) {
	p.t.Helper()
	decode(p.t, method, out)(p.b.send(p.session, method, params))
}

// Eval evaluates a JavaScript expression, awaiting it when it is a promise, and decodes its
// value into out (nil: ignored). An exception is the returned error; a DevTools failure fails
// the test.
func (p *Page) Eval(expr string, out any) error {
	p.t.Helper()
	err := p.eval(expr, out)
	var ex *exception
	if err != nil && !errors.As(err, &ex) {
		p.t.Fatal(err)
	}
	return err
}

// exception is a JavaScript exception thrown by an evaluated expression.
type exception struct{ text string }

func (e *exception) Error() string { return e.text }

func (p *Page) eval(expr string, out any) error {
	raw, err := p.b.send(p.session, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		return &exception{r.Exception.Text + " " + r.Exception.Exception.Description}
	}
	if out != nil && len(r.Result.Value) > 0 {
		return json.Unmarshal(r.Result.Value, out)
	}
	return nil
}

// Must evaluates expr into out, failing the test on an exception.
func (p *Page) Must(expr string, out any) {
	p.t.Helper()
	if err := p.Eval(expr, out); err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
}

// Text evaluates expr and returns its value as fmt.Sprint shows it ("true", "3", "idle"),
// failing the test on an exception.
func (p *Page) Text(expr string) string {
	p.t.Helper()
	var v any
	p.Must(expr, &v)
	return fmt.Sprint(v)
}

// text is Text without failing: an exception or error is its text.
func (p *Page) text(expr string) string {
	var v any
	if err := p.eval(expr, &v); err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(v)
}

// Until waits until the boolean expression expr is true.
func (p *Page) Until(what, expr string) {
	p.t.Helper()
	p.WaitFor(what, expr, "true")
}

// WaitFor waits until expr's value, as Text shows it, is want; the failure shows the last
// value.
func (p *Page) WaitFor(what, expr, want string) {
	p.t.Helper()
	require.EventuallyWithT(p.t, func(c *assert.CollectT) {
		assert.Equal(c, want, p.text(expr), expr)
	}, WaitTimeout, tick, "timed out waiting for %s", what)
}

// Click clicks the element the CSS selector finds (element.click(), waiting for it to be
// there).
func (p *Page) Click(sel string) {
	p.t.Helper()
	p.WaitFor("click "+sel, `(() => { const e = document.querySelector(`+JSString(sel)+`); if (!e) return "missing"; e.click(); return "ok"; })()`, "ok")
}

// RealClick clicks the element's centre with the mouse: a trusted click, a user gesture.
func (p *Page) RealClick(sel string) {
	p.t.Helper()
	x, y := p.Center(sel)
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		p.Call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1}, nil)
	}
}

// Press types a key as the keyboard does (trusted key events): a character or a key name
// such as "Escape".
func (p *Page) Press(key string) {
	p.t.Helper()
	down := map[string]any{"type": "keyDown", "key": key}
	if len(key) == 1 {
		down["text"] = key
	} else {
		down["type"] = "rawKeyDown" // a key without text
	}
	p.Call("Input.dispatchKeyEvent", down, nil)
	p.Call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": key}, nil)
}

// Center scrolls the element into view and returns its centre in viewport coordinates.
func (p *Page) Center(sel string) (x, y float64) {
	p.t.Helper()
	var c struct{ X, Y float64 }
	p.Must(`(() => { const e = document.querySelector(`+JSString(sel)+`); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`, &c)
	return c.X, c.Y
}

// Screenshot returns the whole page as a PNG, laid out width pixels wide, with animations
// reduced (blinking elements show steady).
func (p *Page) Screenshot(width int) []byte {
	p.t.Helper()
	p.Call("Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-reduced-motion", "value": "reduce"}}}, nil)
	metrics := func(height int) map[string]any {
		return map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
	}
	p.Call("Emulation.setDeviceMetricsOverride", metrics(600), nil)
	var height int
	p.Must(`document.documentElement.scrollHeight`, &height)
	p.Call("Emulation.setDeviceMetricsOverride", metrics(height), nil)
	// Two frames after the resize, so that the page is laid out and painted at its new size.
	p.Must(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil)
	var shot struct {
		Data string `json:"data"`
	}
	p.Call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		p.t.Fatal(err)
	}
	return png
}

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
