module iswfeed

go 1.26.0

require (
	github.com/robfig/cron/v3 v3.0.1
	golang.org/x/text v0.44.0
	gopkg.in/yaml.v3 v3.0.1
)
