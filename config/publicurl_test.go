package config

import "testing"

func TestPublicURLDropsSecrets(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"user-info and query go", "http://user:secret@feeds.example.net:8080/de/feed?token=x#f", "http://feeds.example.net:8080/de/feed"},
		{"a plain address stays", "https://www.spartanat.com/feed/", "https://www.spartanat.com/feed/"},
		{"an escaped path stays escaped", "https://example.org/a%2Fb/feed", "https://example.org/a%2Fb/feed"},
		{"a user name alone goes", "https://token@example.org/feed", "https://example.org/feed"},
		{"text that is not a URL gives nothing", "user:secret@host", ""},
		{"a relative address gives nothing", "/feed?token=x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PublicURL(tt.in); got != tt.want {
				t.Errorf("PublicURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
