/**
 * Kiln's configuration file ({@code ~/.kiln/config.yaml}) and its environment overrides: read,
 * checked with file positions in errors, shown with secrets redacted, and applied to a
 * {@link dev.kiln.api.KilnBuilder}. A front end over the API, like the CLI.
 */
package dev.kiln.config;
