package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// principalKey is the gin context key of the authenticated principal.
const principalKey = "ctibridge.principal"

// routes builds the whole HTTP surface.
func (s *Server) routes() http.Handler {
	g := s.newEngine()
	g.Use(s.securityHeaders, s.cors, s.limitUnauthenticated)
	g.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	g.GET("/readyz", s.readyz)
	g.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})))
	g.GET("/ws", func(c *gin.Context) { s.serveWS(c.Writer, c.Request) })
	g.GET("/api/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openAPIDoc)
	})
	s.dashboardRoutes(g)

	v1 := g.Group("/api/v1", s.authenticate)
	v1.GET("/me", s.getMe)
	v1.GET("/lines", s.listLines)
	v1.GET("/calls", s.listCalls)
	v1.GET("/links", s.listLinks)
	v1.GET("/history", s.history)
	v1.GET("/agents", s.listAgents)
	v1.GET("/groups/:pbx/:ext", s.getGroup)

	line := v1.Group("/lines/:pbx/:ext", s.lineACL)
	line.GET("", s.getLine)
	line.GET("/calls", s.lineCalls)
	line.GET("/journal", s.lineJournal)
	line.POST("/dial", s.dial)
	line.PUT("/forwarding", s.setForwarding)
	line.PUT("/dnd", s.setDND)
	line.PUT("/agent", s.setAgentState)
	call := line.Group("/calls/:handle")
	for _, a := range callActions {
		call.POST("/"+a.path, s.callAction(a))
	}

	admin := v1.Group("", s.requireAdmin)
	admin.POST("/links/:pbx/switchover", s.switchover)
	admin.POST("/links/:pbx/failback", s.failback)
	admin.GET("/links/:pbx/trace", s.getTrace)
	admin.PUT("/links/:pbx/trace", s.putTrace)
	admin.GET("/clients", s.listClients)
	s.webhookRoutes(admin)
	return g
}

// authenticate checks the bearer token.
func (s *Server) authenticate(c *gin.Context) {
	p, err := s.auth.fromRequest(c.Request)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="ctibridge"`)
		problem(c, probUnauthorized, "Authorization", err.Error())
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

func principalOf(c *gin.Context) *principal {
	v, _ := c.Get(principalKey)
	p, _ := v.(*principal)
	return p
}

func (s *Server) requireAdmin(c *gin.Context) {
	if p := principalOf(c); !p.isAdmin() {
		problem(c, probForbidden, "", p.Name+" ("+p.Role+") is not an admin")
		return
	}
	c.Next()
}

// lineACL resolves :pbx/:ext and checks that the principal may see the line. Writes check
// control rights in checkRequest.
func (s *Server) lineACL(c *gin.Context) {
	name := c.Param("pbx") + "/" + c.Param("ext")
	// A line the principal may not see is answered as a missing one, so that a token cannot
	// probe which lines exist.
	if _, ok := s.svc.Line(name); !ok || !principalOf(c).canSee(name) {
		problem(c, probUnknownLine, "line", "line "+name+" does not exist")
		return
	}
	c.Next()
}

func lineParam(c *gin.Context) string { return c.Param("pbx") + "/" + c.Param("ext") }

// bindJSON decodes the request body strictly into v; on failure it answers with a problem
// naming the field and returns false.
func (s *Server) bindJSON(c *gin.Context, v any) bool {
	if ct := c.ContentType(); ct != "application/json" && ct != "" {
		problem(c, probBadContentType, "Content-Type", "send application/json, not "+ct)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxMessageBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem(c, probTooLarge, "", "body larger than the limit of "+itoa(int(s.cfg.MaxMessageBytes))+" bytes")
			return false
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.Header("Connection", "close")
			problem(c, probBodyTimeout, "", "the request body did not arrive within "+s.cfg.HTTPReadTimeout.String())
			return false
		}
		problem(c, probBadBody, "", "reading the body: "+err.Error())
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := strictDecode(body, v); err != nil {
		problem(c, probBadJSON, fieldOf(err), "body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		problem(c, probNotReady, "", err.Error())
		return
	}
	for pbx, h := range s.hubs {
		select {
		case <-h.ready:
		default:
			problem(c, probNotReady, "", "event feed of PBX "+pbx+" is not up yet")
			return
		}
	}
	body := gin.H{"status": "ready", "instance": s.svc.InstanceID()}
	// Overload does not make the instance unready (another would fare no better), but says
	// why clients see events late and slow ones are shed.
	overloaded := map[string]string{}
	for _, li := range s.svc.Links() {
		if li.Overload != "" {
			overloaded[li.PBX] = li.Overload
		}
	}
	if len(overloaded) > 0 {
		body["overloaded"] = overloaded
	}
	c.JSON(http.StatusOK, body)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// queryInt reads a non-negative integer query parameter with a default and an upper bound.
func queryInt(c *gin.Context, name string, def, max int) (int, bool) {
	v := c.Query(name)
	if v == "" {
		return def, true
	}
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' || n > max {
			problem(c, probBadParameter, name,
				name+" must be an integer from 0 to "+itoa(max)+", not "+strings.TrimSpace(v))
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	if n > max {
		problem(c, probBadParameter, name, name+" must be at most "+itoa(max))
		return 0, false
	}
	return n, true
}
