"""E-mail: plain text and HTML over SMTP, with a stable Message-ID per outbox row."""
