package db

import "github.com/prometheus/client_golang/prometheus"

// poolCollector exports the pool's counters to Prometheus at scrape time.
type poolCollector struct {
	p     *Pool
	descs map[string]*prometheus.Desc
}

// Collector exposes the pool's statistics: connections total, idle and
// acquired, acquires, their total wait, and acquires that found the pool
// empty or were canceled.
func (p *Pool) Collector() prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("marquee_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{p: p, descs: map[string]*prometheus.Desc{
		"max":           d("max_connections", "Pool maximum: DB_POOL_SIZE + DB_MAX_OVERFLOW."),
		"total":         d("connections", "Open connections."),
		"idle":          d("idle_connections", "Idle connections."),
		"acquired":      d("acquired_connections", "Connections in use."),
		"acquires":      d("acquires_total", "Connections handed out."),
		"acquireSecs":   d("acquire_wait_seconds_total", "Total time spent acquiring connections."),
		"empty":         d("empty_acquires_total", "Acquires that had to wait because no connection was idle."),
		"emptyWaitSecs": d("empty_acquire_wait_seconds_total", "Total time spent waiting by acquires that found the pool empty."),
		"canceled":      d("canceled_acquires_total", "Acquires given up by their caller (including DB_POOL_TIMEOUT)."),
		"lifetime":      d("lifetime_closes_total", "Connections closed for reaching DB_POOL_RECYCLE."),
		"idleCloses":    d("idle_closes_total", "Overflow connections closed for being idle."),
		"new":           d("new_connections_total", "Connections opened."),
	}}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.Stat()
	gauge := func(key string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.descs[key], prometheus.GaugeValue, v)
	}
	counter := func(key string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.descs[key], prometheus.CounterValue, v)
	}
	gauge("max", float64(s.MaxConns()))
	gauge("total", float64(s.TotalConns()))
	gauge("idle", float64(s.IdleConns()))
	gauge("acquired", float64(s.AcquiredConns()))
	counter("acquires", float64(s.AcquireCount()))
	counter("acquireSecs", s.AcquireDuration().Seconds())
	counter("empty", float64(s.EmptyAcquireCount()))
	counter("emptyWaitSecs", s.EmptyAcquireWaitTime().Seconds())
	counter("canceled", float64(s.CanceledAcquireCount()))
	counter("lifetime", float64(s.MaxLifetimeDestroyCount()))
	counter("idleCloses", float64(s.MaxIdleDestroyCount()))
	counter("new", float64(s.NewConnsCount()))
}
