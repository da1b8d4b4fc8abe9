package dev.whittle.cli;

import dev.whittle.data.DataFileException;
import dev.whittle.io.ModelFileException;
import dev.whittle.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code whittle} command line. Known failures print one clear line (no stack trace) and exit 2. */
@Command(
        name = "whittle",
        mixinStandardHelpOptions = true,
        version = "whittle 0.1.0",
        description = "Train convolutional networks, prune them, and run the pruned network fast.",
        subcommands = {
            DemoCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            InfoCommand.class,
            BenchCommand.class,
            GroupsCommand.class,
            PruneCommand.class,
            PruneTableCommand.class,
            SpeedupCommand.class,
            AliveBenchCommand.class,
            OpenClBenchCommand.class,
            SparseBenchCommand.class,
            CompactCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof DataFileException
                    || ex instanceof ModelFileException
                    || ex instanceof TrainingDivergedException
                    || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException) { // a result file that cannot be written
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
