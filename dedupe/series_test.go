package dedupe

import (
	"slices"
	"testing"

	"iswfeed/config"
)

func TestConfigKnowsEverySeriesTheReaderKnows(t *testing.T) {
	if !slices.Equal(BuiltinSeries(), config.KnownSeries) {
		t.Errorf("dedupe reads %v but config accepts %v", BuiltinSeries(), config.KnownSeries)
	}
}
