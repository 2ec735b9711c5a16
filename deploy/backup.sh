#!/usr/bin/env bash
# The nightly backup (deploy/jobs.toml, symposium-backup.timer): the database and the
# media folder, each encrypted to BACKUP_GPG_RECIPIENT's public key, so that the host
# that writes the backups cannot read them; copies older than BACKUP_KEEP_DAYS deleted.
# Restore drill: docs/running.md. Needs pg_dump of the server's major version, and gpg
# with the recipient's public key imported for the user that runs it.
#
#   BACKUP_DIR=/var/backups/symposium BACKUP_GPG_RECIPIENT=backups@example.org \
#   BACKUP_KEEP_DAYS=35 DATABASE_URL=… MEDIA_ROOT=… deploy/backup.sh
set -euo pipefail
: "${DATABASE_URL:?}" "${BACKUP_GPG_RECIPIENT:?}"
dir="${BACKUP_DIR:-/var/backups/symposium}"
keep="${BACKUP_KEEP_DAYS:-35}"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"

encrypt() {
  gpg --batch --yes --quiet --trust-model always --encrypt \
      --recipient "$BACKUP_GPG_RECIPIENT" --output "$1.partial"
}

# Renamed only once the whole pipeline succeeded (pipefail): a dump cut short stays
# .partial, the job fails and ADMINS hear of it (symposium-failed@).
database="$dir/symposium-$stamp.dump.gpg"
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" | encrypt "$database"
mv "$database.partial" "$database"
if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  media="$dir/symposium-media-$stamp.tar.gz.gpg"
  tar -czf - -C "$MEDIA_ROOT" . | encrypt "$media"
  mv "$media.partial" "$media"
fi
find "$dir" -maxdepth 1 -name 'symposium-*.gpg' -mtime "+$keep" -delete
find "$dir" -maxdepth 1 -name 'symposium-*.partial' -mmin +60 -delete
echo "backup written: $database"
