package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// simulator is the built-in duplex PBX of the embedded default: two CSTA nodes on loopback
// ports sharing one call model, its HTTP control API, and an optional call generator.
type simulator struct {
	pbx                       *pbxsim.PBX
	control                   *pbxsim.ControlServer
	traffic                   *pbxsim.Traffic
	primary, standby, dialect string
}

func startSimulator(ctx context.Context, cfg *FileConfig, log *logrus.Entry) (*simulator, error) {
	exts := []string{cfg.Simulator.Extensions}
	p, err := pbxsim.New(pbxsim.Config{Extensions: exts, Profile: cfg.Simulator.Profile, PromptAnswer: cfg.Simulator.PromptAnswer, Dialect: "generic", DecorateExternal: true, NoAnswerTime: 20 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	s := &simulator{pbx: p, dialect: "generic"}
	a, err := p.StartNode(ctx, "primary", "127.0.0.1:0")
	if err == nil {
		s.primary = a.Addr()
		var b *pbxsim.Node
		if b, err = p.StartNode(ctx, "standby", "127.0.0.1:0"); err == nil {
			s.standby = b.Addr()
		}
	}
	if err == nil && cfg.Simulator.ControlAddr != "" {
		s.control, err = p.ServeControl(ctx, cfg.Simulator.ControlAddr)
	}
	if err == nil && cfg.Simulator.Traffic > 0 {
		s.traffic, err = p.StartTraffic(ctx, pbxsim.TrafficConfig{CallsPerSecond: cfg.Simulator.Traffic,
			Seed: uint64(time.Now().UnixNano()), RingTime: 4 * time.Second, TalkTime: 20 * time.Second})
	}
	if err != nil {
		s.close()
		return nil, fmt.Errorf("simulator: %w", err)
	}
	log.WithFields(logrus.Fields{"primary": s.primary, "standby": s.standby}).Info("PBX simulator started")
	return s, nil
}

func (s *simulator) controlAddr() string {
	if s.control == nil {
		return ""
	}
	return s.control.Addr()
}

func (s *simulator) close() {
	if s.traffic != nil {
		s.traffic.Stop()
	}
	if s.control != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.control.Shutdown(ctx)
		cancel()
	}
	_ = s.pbx.Close()
}
