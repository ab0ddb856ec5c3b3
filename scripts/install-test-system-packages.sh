#!/usr/bin/env bash
# Install the Debian packages some tests drive, when this machine lets us (root + apt-get):
# chromium (browser tests of the web app) and Xvfb (an X server for the keyboard output of
# online control). Never fails the build: without them those tests skip with a stated reason.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "${missing[*]} not installed (needs root and apt-get): the tests that need them will be skipped"
  exit 0
fi
echo "installing ${missing[*]} for the browser and keyboard tests..."
if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
  echo "installed: ${missing[*]}"
else
  echo "${missing[*]} could not be installed: the tests that need them will be skipped"
fi
exit 0
