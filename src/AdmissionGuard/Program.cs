using AdmissionGuard.Commands;

return args switch
{
    ["serve", .. var rest] => await ServeCommand.RunAsync(rest, Console.Out, Console.Error).ConfigureAwait(false),
    ["check", .. var rest] => CheckCommand.Run(rest, Console.In, Console.Out, Console.Error),
    ["report", .. var rest] => await ReportCommand.RunAsync(rest, Console.Out, Console.Error).ConfigureAwait(false),
    ["scan", "import", .. var rest] => await ScanImportCommand.RunAsync(rest, Console.In, Console.Out, Console.Error).ConfigureAwait(false),
    ["--help" or "-h" or "help"] => Usage(Console.Out, 0),
    _ => Usage(Console.Error, CheckCommand.BadInput),
};

static int Usage(TextWriter writer, int exitCode)
{
    writer.WriteLine("""
        admissionguard: image hygiene for Kubernetes

          admissionguard serve [--listen HOST:PORT] [--tls-cert F --tls-key F] --policies DIR [--scans DIR]
          admissionguard check -f PATH|- --policies DIR [--scans DIR] [--output text|json|sarif|junit]
          admissionguard report [-f PATH|- --policies DIR [--scans DIR]] [--kubeconfig FILE] [--output html|json|markdown] [-o FILE]
          admissionguard scan import FILE|- [--format auto|trivy|grype|sarif|cyclonedx|trivy-operator] [--image REF]
                                                [--apply [--kubeconfig FILE]]
        """);
    return exitCode;
}
