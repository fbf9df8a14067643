/**
 * The Dockerfile front end: the instructions Kiln can carry out without running anything (FROM,
 * ARG, COPY, ADD of local files and archives, ENV, LABEL, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE,
 * VOLUME), with BuildKit's variable substitution, automatic platform arguments and
 * {@code .dockerignore}; anything else is refused with the line and the reason, before any request.
 */
package dev.kiln.internal.dockerfile;
