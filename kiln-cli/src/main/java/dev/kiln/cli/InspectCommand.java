package dev.kiln.cli;

import dev.kiln.api.ImageInfo;
import dev.kiln.api.Kiln;
import dev.kiln.api.LayerInfo;
import dev.kiln.api.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;

@Command(name = "inspect", description = "Show an image's digest, platform, layers and configuration (fetches manifest and config only).")
final class InspectCommand extends RegistryCommand {
    @Mixin
    ImageOptions image;

    @Override
    int run(Kiln kiln) {
        ImageInfo info = kiln.inspect(image.request());
        PrintWriter out = common.out();
        if (common.json) {
            Output.print(out, info);
            return KilnCommand.OK;
        }
        if (common.quiet) {
            out.println(Output.withDigest(info.reference(), info.digest()));
            out.flush();
            return KilnCommand.OK;
        }
        out.println("Reference:   " + info.reference());
        out.println("Digest:      " + info.digest());
        if (info.indexDigest() != null) {
            out.println("Index:       " + info.indexDigest());
        }
        out.println("Platform:    " + info.platform());
        out.println("Created:     " + (info.created() == null ? "-" : info.created()));
        out.println("Size:        " + Units.formatSize(info.size()) + " in " + Output.count(info.layers().size(), "layer"));
        for (LayerInfo layer : info.layers()) {
            out.printf("  %s  %10s  %s%n", layer.digest(), Units.formatSize(layer.size()), layer.mediaType());
        }
        out.println("Env:");
        info.env().forEach(e -> out.println("  " + e));
        out.println("Entrypoint:  " + info.entrypoint());
        out.println("Cmd:         " + info.cmd());
        out.println("WorkingDir:  " + (info.workingDir() == null ? "" : info.workingDir()));
        out.println("User:        " + (info.user() == null ? "" : info.user()));
        if (!info.exposedPorts().isEmpty()) {
            out.println("Ports:       " + String.join(", ", info.exposedPorts()));
        }
        if (!info.labels().isEmpty()) {
            out.println("Labels:");
            info.labels().forEach((k, v) -> out.println("  " + k + "=" + v));
        }
        out.println("Source:      " + info.source() + " (" + Output.count(info.requests(), "request") + ")");
        out.flush();
        return KilnCommand.OK;
    }
}
