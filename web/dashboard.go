package web

import (
	"embed"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	js "github.com/ctibridge/ctibridge/clients/js"
)

// staticFiles are the dashboard's assets: plain HTML, CSS and an ES module, no build step.
// The dashboard talks to the bridge through the browser SDK, served from /clients/js/.
//
//go:embed static
var staticFiles embed.FS

//go:embed openapi.json
var openAPIDoc []byte

// assetTypes are the content types of the files served here, set explicitly so that they do
// not depend on the host's MIME tables (nosniff makes a browser refuse a module served with
// another type).
var assetTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".md":   "text/markdown; charset=utf-8",
}

// fileHandler serves the files of fsys with the headers every asset gets; the request path
// is the file's path in fsys, and "/" is index (none when empty). Directories are not
// listed, and a missing file is a problem+json 404 like every other one.
func fileHandler(fsys fs.FS, index string, extra func(h http.Header)) func(c *gin.Context, file string) {
	return func(c *gin.Context, file string) {
		name := strings.TrimPrefix(path.Clean("/"+file), "/")
		if name == "" {
			name = index
		}
		rs, closeFile := openAsset(fsys, name)
		if rs == nil {
			problem(c, probNotFound, "", "no such file: "+c.Request.URL.Path)
			return
		}
		defer closeFile()
		h := c.Writer.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if ct, ok := assetTypes[path.Ext(name)]; ok {
			h.Set("Content-Type", ct)
		}
		if extra != nil {
			extra(h)
		}
		http.ServeContent(c.Writer, c.Request, name, time.Time{}, rs)
	}
}

// openAsset opens a regular file of fsys for ServeContent; nil for a missing file, a
// directory or no name.
func openAsset(fsys fs.FS, name string) (io.ReadSeeker, func()) {
	if name == "" {
		return nil, nil
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil
	}
	st, err := f.Stat()
	rs, ok := f.(io.ReadSeeker)
	if err != nil || st.IsDir() || !ok {
		_ = f.Close()
		return nil, nil
	}
	return rs, func() { _ = f.Close() }
}

func (s *Server) dashboardRoutes(g *gin.Engine) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	static := fileHandler(sub, "index.html", nil)
	g.GET("/", func(c *gin.Context) { static(c, "/") })
	g.GET("/static/*file", func(c *gin.Context) { static(c, c.Param("file")) })

	// The browser SDK (clients/js): the dashboard's own client, and the URL CRM pages import
	// it from (clients/js/README.md). It is public code, so pages of any origin may load it:
	// a cross-origin module import needs CORS. Which origins may connect to /ws is still
	// decided by web.allowed_origins.
	sdk := fileHandler(js.Files, "", func(h http.Header) { h.Set("Access-Control-Allow-Origin", "*") })
	g.GET("/clients/js/*file", func(c *gin.Context) { sdk(c, c.Param("file")) })
}
