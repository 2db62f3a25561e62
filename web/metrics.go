package web

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ctibridge/ctibridge/cti"
)

// metrics are the Prometheus metrics of one Server, in its own registry so that several
// servers (tests, benchmarks) do not collide.
type metrics struct {
	reg            *prometheus.Registry
	eventsIn       *prometheus.CounterVec
	eventsOut      prometheus.Counter
	wsMessagesIn   prometheus.Counter
	wsClients      prometheus.Gauge
	wsRejected     *prometheus.CounterVec
	queueDrops     *prometheus.CounterVec
	wsBehind       prometheus.Counter
	limited        *prometheus.CounterVec
	commandLatency *prometheus.HistogramVec
	switchovers    *prometheus.CounterVec
	rateLimited    prometheus.Counter
	alertsSent     *prometheus.CounterVec
	httpRequests   *prometheus.CounterVec
}

func newMetrics(svc cti.Service, extra ...prometheus.Collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.eventsIn = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_events_in_total",
		Help: "Event log entries received from each PBX's feed."}, []string{"pbx"})
	m.eventsOut = prometheus.NewCounter(prometheus.CounterOpts{Name: "ctibridge_ws_messages_out_total",
		Help: "WebSocket messages written to clients (events, replies, control)."})
	m.wsMessagesIn = prometheus.NewCounter(prometheus.CounterOpts{Name: "ctibridge_ws_messages_in_total",
		Help: "WebSocket messages read from clients."})
	m.wsClients = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ctibridge_ws_clients",
		Help: "Connected WebSocket clients."})
	m.wsRejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_ws_rejected_total",
		Help: "WebSocket connections refused, by reason (origin, token)."}, []string{"reason"})
	m.queueDrops = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_ws_queue_drops_total",
		Help: "Clients disconnected because their outbound queue overflowed."}, []string{"reason"})
	m.wsBehind = prometheus.NewCounter(prometheus.CounterOpts{Name: "ctibridge_ws_behind_total",
		Help: "Times a client's send queue was full when an event came and it was caught up from the event log instead."})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_requests_limited_total",
		Help: "Requests and connections refused by a limit (user_command, line_command, dial, unauth_ip, conns_per_ip, sessions_per_user)."},
		[]string{"limit"})
	for _, l := range []string{limitUserCommand, limitLineCommand, limitDial, limitUnauthIP, limitConnsPerIP, limitSessionsPerUser} {
		m.limited.WithLabelValues(l)
	}
	m.commandLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ctibridge_command_duration_seconds", Help: "TAPI request latency through the engine.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"op", "result"})
	m.switchovers = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_switchovers_total",
		Help: "PBX node switchovers seen in the event log."}, []string{"pbx"})
	m.rateLimited = prometheus.NewCounter(prometheus.CounterOpts{Name: "ctibridge_dial_rate_limited_total",
		Help: "Click-to-dial requests refused by the per-token rate limit."})
	m.alertsSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_alerts_total",
		Help: "Alert webhook deliveries, by outcome (delivered, failed)."}, []string{"outcome"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_http_requests_total",
		Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	m.reg.MustRegister(m.eventsIn, m.eventsOut, m.wsMessagesIn, m.wsClients, m.wsRejected,
		m.queueDrops, m.wsBehind, m.limited, m.commandLatency, m.switchovers, m.rateLimited, m.alertsSent, m.httpRequests,
		&linkCollector{svc: svc},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(extra...)
	return m
}

// Values of the limit label of ctibridge_requests_limited_total.
const (
	limitUserCommand     = "user_command"
	limitLineCommand     = "line_command"
	limitDial            = "dial"
	limitUnauthIP        = "unauth_ip"
	limitConnsPerIP      = "conns_per_ip"
	limitSessionsPerUser = "sessions_per_user"
)

// linkCollector reports the PBX links as the engine sees them at scrape time.
type linkCollector struct{ svc cti.Service }

var (
	descLinkUp = prometheus.NewDesc("ctibridge_link_node_up",
		"1 when the PBX node's link is up.", []string{"pbx", "node"}, nil)
	descLinkActive = prometheus.NewDesc("ctibridge_link_node_active",
		"1 for the node carrying the PBX's traffic.", []string{"pbx", "node"}, nil)
	descHeartbeats = prometheus.NewDesc("ctibridge_link_heartbeats_total",
		"Heartbeats answered by the node.", []string{"pbx", "node"}, nil)
	descMisses = prometheus.NewDesc("ctibridge_link_heartbeat_misses",
		"Consecutive unanswered heartbeats.", []string{"pbx", "node"}, nil)
	descRTT = prometheus.NewDesc("ctibridge_link_heartbeat_rtt_seconds",
		"Round-trip time of the last heartbeat.", []string{"pbx", "node"}, nil)
	descOwned = prometheus.NewDesc("ctibridge_link_owned",
		"1 when this instance owns the PBX link.", []string{"pbx"}, nil)
	descDegraded = prometheus.NewDesc("ctibridge_link_degraded",
		"1 while this instance has given the PBX link up because its store writes kept failing.", []string{"pbx"}, nil)
	descOverloaded = prometheus.NewDesc("ctibridge_pipeline_overloaded",
		"1 while CSTA events of the PBX arrive faster than this instance applies them (they wait 250 ms or more, or half the pipeline queue is used).", []string{"pbx"}, nil)
	descOverloads = prometheus.NewDesc("ctibridge_pipeline_overload_episodes_total",
		"Overload episodes of the PBX's pipeline on this instance.", []string{"pbx"}, nil)
	descProtocolErrors = prometheus.NewDesc("ctibridge_csta_protocol_errors_total",
		"Non-fatal CSTA protocol problems (undecodable events, stray requests) by class.",
		[]string{"pbx", "class"}, nil)
	descRepairs = prometheus.NewDesc("ctibridge_reducer_repairs_total",
		"Lines repaired from a device snapshot because a CSTA event could not be placed, by reason.",
		[]string{"pbx", "reason"}, nil)
)

func (l *linkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLinkUp, descLinkActive, descHeartbeats, descMisses, descRTT, descOwned, descDegraded, descOverloaded, descOverloads, descRepairs, descProtocolErrors} {
		ch <- d
	}
}

func (l *linkCollector) Collect(ch chan<- prometheus.Metric) {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, li := range l.svc.Links() {
		ch <- prometheus.MustNewConstMetric(descOwned, prometheus.GaugeValue, b(li.OwnedHere), li.PBX)
		ch <- prometheus.MustNewConstMetric(descDegraded, prometheus.GaugeValue, b(li.Degraded != ""), li.PBX)
		ch <- prometheus.MustNewConstMetric(descOverloaded, prometheus.GaugeValue, b(li.Overload != ""), li.PBX)
		ch <- prometheus.MustNewConstMetric(descOverloads, prometheus.CounterValue, float64(li.OverloadEpisodes), li.PBX)
		for reason, n := range li.Repairs {
			ch <- prometheus.MustNewConstMetric(descRepairs, prometheus.CounterValue, float64(n), li.PBX, reason)
		}
		for class, n := range li.ProtocolErrors {
			ch <- prometheus.MustNewConstMetric(descProtocolErrors, prometheus.CounterValue, float64(n), li.PBX, class)
		}
		for _, n := range li.Nodes {
			ch <- prometheus.MustNewConstMetric(descLinkUp, prometheus.GaugeValue, b(n.Status == "up"), li.PBX, n.Role)
			ch <- prometheus.MustNewConstMetric(descLinkActive, prometheus.GaugeValue, b(li.Active == n.Role), li.PBX, n.Role)
			ch <- prometheus.MustNewConstMetric(descHeartbeats, prometheus.CounterValue, float64(n.Heartbeat), li.PBX, n.Role)
			ch <- prometheus.MustNewConstMetric(descMisses, prometheus.GaugeValue, float64(n.Misses), li.PBX, n.Role)
			ch <- prometheus.MustNewConstMetric(descRTT, prometheus.GaugeValue, n.LastRTT.Seconds(), li.PBX, n.Role)
		}
	}
}
