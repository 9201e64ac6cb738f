using AdmissionGuard.Commands;

// One executable, one command per file under Commands/ (API.md section 3).
var root = Cli.Root(
    ServeCommand.Create(),
    CheckCommand.Create(Console.In),
    ScanImportCommand.CreateScan(Console.In),
    ReportCommandLine.Create(Console.In));
return await Cli.InvokeAsync(root, args, Console.Out, Console.Error).ConfigureAwait(false);
