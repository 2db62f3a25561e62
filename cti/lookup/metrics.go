package lookup

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Metrics are the lookup's Prometheus metrics; it is a prometheus.Collector to register
// where the process's metrics are served. A nil *Metrics counts nothing.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	cache    *prometheus.CounterVec
	names    *prometheus.CounterVec
}

// Outcomes of a name the engine asked for (label outcome of ctibridge_lookup_names_total).
const (
	OutcomeInTime  = "in_time" // found within the budget: in the event itself
	OutcomeLate    = "late"    // found after the budget: sent as LINE_CALLINFO
	OutcomeUnknown = "unknown" // no source knows the number
	OutcomeFailed  = "failed"  // the sources could not be asked
	OutcomeDropped = "dropped" // too many lookups waiting: not asked
)

// NewMetrics returns the metrics, unregistered.
func NewMetrics() *Metrics {
	return &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_lookup_requests_total",
			Help: "Caller lookups asked of each source (config, directory, ldap, http), by result (found, not_found, error)."},
			[]string{"source", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ctibridge_lookup_duration_seconds",
			Help:    "Time a source took to answer a caller lookup.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"source"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_lookup_cache_total",
			Help: "Caller lookups answered by the cache (hit, negative_hit) or passed to the sources (miss)."},
			[]string{"result"}),
		names: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ctibridge_lookup_names_total",
			Help: "Party names the engine asked for, by PBX and outcome (in_time, late, unknown, failed, dropped)."},
			[]string{"pbx", "outcome"}),
	}
}

// ObserveSource counts one answer of a source.
func (m *Metrics) ObserveSource(source, result string, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(source, result).Inc()
	m.duration.WithLabelValues(source).Observe(took.Seconds())
}

// ObserveName counts the outcome of one name the engine asked for.
func (m *Metrics) ObserveName(pbx, outcome string) {
	if m == nil {
		return
	}
	m.names.WithLabelValues(pbx, outcome).Inc()
}

func (m *Metrics) observeCache(result string) {
	if m == nil {
		return
	}
	m.cache.WithLabelValues(result).Inc()
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.requests.Describe(ch)
	m.duration.Describe(ch)
	m.cache.Describe(ch)
	m.names.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.requests.Collect(ch)
	m.duration.Collect(ch)
	m.cache.Collect(ch)
	m.names.Collect(ch)
}

// NameCount is how many names of pbx had outcome, for tests and diagnostics.
func (m *Metrics) NameCount(pbx, outcome string) float64 {
	return counterValue(m.names.WithLabelValues(pbx, outcome))
}

// SourceCount is how many answers source gave with result, for tests and diagnostics.
func (m *Metrics) SourceCount(source, result string) float64 {
	return counterValue(m.requests.WithLabelValues(source, result))
}

func counterValue(c prometheus.Counter) float64 {
	var d dto.Metric
	if err := c.Write(&d); err != nil {
		return 0
	}
	return d.GetCounter().GetValue()
}
