#!/usr/bin/env bash
# Rebuild the vendored govuk-frontend CSS/JS in static/govuk/ (needs Node and npm; run by a developer,
# never at run time). The CSS is compiled with a system font stack instead of GDS Transport and without
# the Royal Arms crest (scripts/govuk-tandem-urls.scss): a council is not GOV.UK. Usage: scripts/vendor_govuk.sh [VERSION]
set -euo pipefail
version=${1:-6.6.0}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
npm init -y >/dev/null
npm install --silent "govuk-frontend@$version" sass
cp "$root/scripts/govuk-tandem.scss" tandem.scss
cp "$root/scripts/govuk-tandem-urls.scss" url-handlers.scss
npx sass --no-source-map --style=compressed --load-path=. tandem.scss "$root/static/govuk/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$root/static/govuk/"
echo "$version" > "$root/static/govuk/VERSION"
echo "govuk-frontend $version vendored into static/govuk/"
