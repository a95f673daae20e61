# shellcheck shell=bash
# Debian's Chromium for the browser tests (tests/web), installed when missing; source this file, then
#   chromium_ensure   installs the `chromium` package with apt-get when /usr/bin/chromium is missing and exports
#                     FANZHA_CHROMIUM (the browser the Playwright tests launch; never `playwright install`)
# Set FANZHA_SKIP_BROWSER=1 to run without it (the browser-marked tests then skip).

chromium_ensure() {
    if [ "${FANZHA_SKIP_BROWSER:-0}" = 1 ]; then return 0; fi
    local browser=${FANZHA_CHROMIUM:-/usr/bin/chromium}
    if [ ! -x "$browser" ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "chromium.sh: Chromium is not installed and this user cannot install it (apt-get install chromium)" >&2
            return 1
        fi
        echo "chromium.sh: installing Chromium from Debian's packages" >&2
        apt-get update -qq >/dev/null &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null ||
            return 1
    fi
    export FANZHA_CHROMIUM="$browser"
}
