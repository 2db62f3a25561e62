package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the dispatcher's Prometheus metrics; the Dispatcher is their Collector.
type metrics struct {
	deliveries *prometheus.CounterVec   // by subscription and result (delivered, failed)
	attempts   *prometheus.CounterVec   // failed attempts (each retried or, the last, failed)
	queue      *prometheus.GaugeVec     // events in the log not yet handled, per subscription and PBX
	age        *prometheus.HistogramVec // event time to delivered
}

func newMetrics() *metrics {
	return &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_webhook_deliveries_total",
			Help: "Call webhook deliveries by subscription and result (delivered; failed: retries ran out, kept as failed)."},
			[]string{"webhook", "result"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_webhook_attempt_failures_total",
			Help: "Call webhook attempts that failed (transport error, timeout, non-2xx status)."}, []string{"webhook"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ctibridge_webhook_queue_depth",
			Help: "Event log entries after the delivery cursor, per subscription and PBX, on the delivering instance."},
			[]string{"webhook", "pbx"}),
		age: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ctibridge_webhook_delivery_age_seconds",
			Help:    "Time from the call event to its successful delivery.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 22)}, []string{"webhook"}),
	}
}

func (m *metrics) delivered(id string, at time.Time) {
	m.deliveries.WithLabelValues(id, "delivered").Inc()
	if !at.IsZero() {
		m.age.WithLabelValues(id).Observe(time.Since(at).Seconds())
	}
}

func (m *metrics) failed(id string)        { m.deliveries.WithLabelValues(id, "failed").Inc() }
func (m *metrics) attemptFailed(id string) { m.attempts.WithLabelValues(id).Inc() }

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.deliveries, m.attempts, m.queue, m.age}
}

// Describe implements prometheus.Collector.
func (d *Dispatcher) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range d.metrics.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (d *Dispatcher) Collect(ch chan<- prometheus.Metric) {
	for _, c := range d.metrics.collectors() {
		c.Collect(ch)
	}
}
