"""Cross-cutting pieces every domain uses: database base, auth, audit, outbox, errors."""
