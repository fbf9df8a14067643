package dev.kiln.cli;

import dev.kiln.api.CachedImage;
import dev.kiln.api.Kiln;
import dev.kiln.api.StoreVerification;
import dev.kiln.api.PruneRequest;
import dev.kiln.api.PruneResult;
import dev.kiln.api.RefreshedImage;
import dev.kiln.api.Units;
import dev.kiln.event.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cache", description = "List, refresh, remove, clean and verify cached images.",
        subcommands = {CacheCommand.Ls.class, CacheCommand.Refresh.class, CacheCommand.Rm.class, CacheCommand.Prune.class,
                CacheCommand.Verify.class})
final class CacheCommand {

    /** A command that looks after a store that exists (it never creates one) and prints a report, not a result line. */
    abstract static class StoreCommand implements Callable<Integer> {
        @Mixin
        GlobalOptions common;

        /** Checks the command's own options, before the store is opened; none by default. */
        void check() {
        }

        /** Runs on the open store, printing to {@code out} (nothing under -q); returns the exit code. */
        abstract int run(Kiln kiln, PrintWriter out);

        @Override
        public Integer call() {
            check();
            try (Kiln kiln = common.openExisting(false)) {
                return run(kiln, common.report());
            }
        }
    }

    @Command(name = "ls", description = "List cached images: reference, platform, digest, size, last use.")
    static final class Ls extends StoreCommand {
        @Override
        int run(Kiln kiln, PrintWriter out) {
            List<CachedImage> images = kiln.cachedImages();
            if (common.json) {
                Output.print(out, Map.of("storeDir", kiln.storeDir().toString(), "images", images));
                return KilnCommand.OK;
            }
            out.printf("%-50s %-14s %-19s %10s  %s%n", "REFERENCE", "PLATFORM", "DIGEST", "SIZE", "LAST USED");
            Instant now = Instant.now();
            for (CachedImage image : images) {
                out.printf("%-50s %-14s %-19s %10s  %s ago%n", image.reference(), image.platform(),
                        Output.shortDigest(image.digest()), Units.formatSize(image.size()),
                        Durations.words(Duration.between(image.lastUsed(), now)));
            }
            out.flush();
            return KilnCommand.OK;
        }
    }

    @Command(name = "refresh", description = "Ask the registry whether cached tags moved (one HEAD per tag) and pull those that did.")
    static final class Refresh extends RegistryCommand {
        @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Cached images to check (default: every cached tag).")
        List<String> images = new java.util.ArrayList<>();

        @Override
        boolean existingStoreOnly() {
            return true;
        }

        @Override
        int run(Kiln kiln) {
            List<RefreshedImage> refreshed = kiln.refresh(images);
            if (common.json) {
                Output.print(common.report(), java.util.Map.of("images", refreshed));
                return KilnCommand.OK;
            }
            for (RefreshedImage image : refreshed) {
                common.report().printf("%s (%s) %s%n", image.reference(), image.platform(), image.moved()
                        ? "moved " + Output.shortDigest(image.previousDigest()) + " → " + Output.shortDigest(image.digest()) + ", pulled"
                        : "unchanged " + Output.shortDigest(image.digest()));
            }
            return KilnCommand.OK;
        }
    }

    @Command(name = "rm", description = "Remove a cached image (all platforms) and the blobs no other image uses.")
    static final class Rm extends StoreCommand {
        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Override
        int run(Kiln kiln, PrintWriter out) {
            return report(out, kiln.removeCached(image), common.json);
        }
    }

    @Command(name = "prune", description = "Free space: drop images unused for --max-age, beyond the --keep-last digests of each repository, "
            + "then, if the store is above --max-size, least recently used ones until it fits --low-watermark; then unreferenced blobs.")
    static final class Prune extends StoreCommand {
        @Option(names = "--max-size", paramLabel = "SIZE", converter = OptionValues.SizeConverter.class,
                description = "Clean when the store is above SIZE, e.g. 10GB, 512MiB (high watermark).")
        Long maxSize;

        @Option(names = "--low-watermark", paramLabel = "SIZE", converter = OptionValues.SizeConverter.class,
                description = "With --max-size: clean down to SIZE (default: --max-size).")
        Long lowWatermark;

        @Option(names = "--keep-last", paramLabel = "N", description = "Per repository, keep only the N most recently used digests.")
        Integer keepLast;

        @Option(names = "--max-age", paramLabel = "DURATION", converter = OptionValues.DurationConverter.class,
                description = "Drop images not used for DURATION, e.g. 7d, 12h.")
        Duration maxAge;

        @Option(names = "--partial-max-age", paramLabel = "DURATION", converter = OptionValues.DurationConverter.class,
                description = "Remove partial downloads untouched for DURATION (default 24h); younger ones are kept for the next pull to continue.")
        Duration partialMaxAge;

        @Option(names = "--dry-run", description = "Only print what would be removed.")
        boolean dryRun;

        private PruneRequest request;

        @Override
        void check() {
            request = PruneRequest.builder().maxSize(maxSize, lowWatermark).maxAge(maxAge).keepLast(keepLast)
                    .dryRun(dryRun).partialMaxAge(partialMaxAge).build();
        }

        @Override
        int run(Kiln kiln, PrintWriter out) {
            return report(out, kiln.prune(request), common.json);
        }
    }

    private static int report(PrintWriter out, PruneResult result, boolean json) {
        if (json) {
            Output.print(out, result);
            return KilnCommand.OK;
        }
        String verb = result.dryRun() ? "would remove" : "removed";
        for (CachedImage image : result.removed()) {
            out.printf("%s %s (%s), last used %s%n", verb, image.reference(), image.platform(), image.lastUsed());
        }
        out.printf("%s %s, %s freed (store %s → %s)%n", verb, Output.count(result.blobsRemoved(), "blob"),
                Units.formatSize(result.bytesFreed()), Units.formatSize(result.bytesBefore()), Units.formatSize(result.bytesAfter()));
        out.flush();
        return KilnCommand.OK;
    }

    @Command(name = "verify", description = "Re-hash every blob of the store and follow every record's references; "
            + "exit 1 if a blob was corrupt (it is removed) or a reference dangles.")
    static final class Verify extends StoreCommand {
        @Override
        int run(Kiln kiln, PrintWriter out) {
            StoreVerification report = kiln.verifyStore();
            if (common.json) {
                Output.print(out, report);
            } else {
                out.printf("%s (%s) re-hashed: %d corrupt; %s; %s not fetched; %s%n",
                        Output.count(report.blobsChecked(), "blob"), Units.formatSize(report.bytesChecked()), report.corruptBlobs().size(),
                        Output.count(report.danglingReferences().size(), "dangling reference"),
                        Output.count(report.layersNotFetched(), "layer"), Output.count(report.ingestFiles(), "ingest file"));
                report.corruptBlobs().forEach(d -> out.println("corrupt (removed): " + d));
                report.danglingReferences().forEach(d -> out.println("dangling: " + d));
                out.flush();
            }
            return report.ok() ? KilnCommand.OK : KilnCommand.FAILURE;
        }
    }
}
