package web

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
)

// staticFiles are the dashboard's assets: plain HTML, CSS and ES modules, no build step.
//
//go:embed static
var staticFiles embed.FS

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) dashboardRoutes(g *gin.Engine) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	files := http.FileServer(http.FS(sub))
	serve := func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Header("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(c.Writer, c.Request)
	}
	g.GET("/", serve)
	g.GET("/static/*file", func(c *gin.Context) {
		c.Request.URL.Path = c.Param("file")
		serve(c)
	})
}
