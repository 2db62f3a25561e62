package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"

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

// fileHandler serves fsys with the headers every asset gets; the request path is the file's
// path in fsys.
func fileHandler(fsys fs.FS, extra func(h http.Header)) func(c *gin.Context, file string) {
	files := http.FileServer(http.FS(fsys))
	return func(c *gin.Context, file string) {
		h := c.Writer.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if ct, ok := assetTypes[path.Ext(file)]; ok {
			h.Set("Content-Type", ct)
		}
		if extra != nil {
			extra(h)
		}
		c.Request.URL.Path = file
		files.ServeHTTP(c.Writer, c.Request)
	}
}

func (s *Server) dashboardRoutes(g *gin.Engine) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	static := fileHandler(sub, nil)
	g.GET("/", func(c *gin.Context) { static(c, "/") })
	g.GET("/static/*file", func(c *gin.Context) { static(c, c.Param("file")) })

	// The browser SDK (clients/js): the dashboard's own client, and the URL CRM pages import
	// it from (clients/js/README.md). It is public code, so pages of any origin may load it:
	// a cross-origin module import needs CORS. Which origins may connect to /ws is still
	// decided by web.allowed_origins.
	sdk := fileHandler(js.Files, func(h http.Header) { h.Set("Access-Control-Allow-Origin", "*") })
	g.GET("/clients/js/*file", func(c *gin.Context) { sdk(c, c.Param("file")) })
}
