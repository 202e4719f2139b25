package config

import "net/url"

// PublicURL is what may be shown publicly of an address, such as a source's
// url: the address without user-info, query and fragment, which may carry
// credentials or tokens (http://user:secret@host/feed?token=x becomes
// http://host/feed). Text that is not an absolute URL gives "", so that
// nothing unparsed is shown.
func PublicURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return ""
	}
	public := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return public.String()
}
