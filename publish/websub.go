package publish

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// pingTimeout bounds one ping of one hub.
const pingTimeout = 15 * time.Second

// notify tells every configured WebSub hub, in the background, that the feeds
// at paths changed: one hub.mode=publish request per hub and feed.
func (s *Server) notify(paths []string) {
	if len(s.cfg.Hubs) == 0 || len(paths) == 0 {
		return
	}
	for _, hub := range s.cfg.Hubs {
		for _, p := range paths {
			s.pings.Add(1)
			go func() {
				defer s.pings.Done()
				s.ping(hub, s.abs(p))
			}()
		}
	}
}

func (s *Server) ping(hub, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form.Encode()))
	if err != nil {
		s.pinged(hub, topic, "error", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		s.pinged(hub, topic, "error", err)
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		s.pinged(hub, topic, "rejected", &statusError{resp.StatusCode, resp.Status})
		return
	}
	s.pinged(hub, topic, "ok", nil)
}

func (s *Server) pinged(hub, topic, outcome string, err error) {
	s.metrics.pings.WithLabelValues(hub, outcome).Inc()
	if err != nil {
		s.log.Warn("publish: websub ping failed", "hub", hub, "topic", topic, "outcome", outcome, "err", err)
		return
	}
	s.log.Debug("publish: websub ping", "hub", hub, "topic", topic)
}
