/** Text that several parts of Kiln read or write alike. */
package dev.kiln.internal.text;
