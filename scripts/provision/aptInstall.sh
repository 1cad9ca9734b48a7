# Sourced by the provisioning scripts: apt_install PACKAGE... installs Debian packages as root, refreshing
# the package lists at most every ten hours; the caller defines `fail` and `cache`.
apt_install() {
  [ "$(id -u)" = 0 ] || fail "installing $* needs root (apt-get); install it yourself and run again"
  if [ ! -f "$cache/.apt-updated" ] || [ -n "$(find "$cache/.apt-updated" -mmin +600)" ]; then
    apt-get update -qq && touch "$cache/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$cache/apt.log" 2>&1 || { cat "$cache/apt.log" >&2; fail "apt-get install $* failed"; }
}
