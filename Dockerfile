# Multi-stage build of the admissionguard executable. No Docker engine runs on the development
# machines, so this file is not built in CI; the chart expects the image it produces.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/AdmissionGuard -c Release -o /out -p:UseAppHost=true

# Distroless-style runtime: no shell, no package manager, non-root (uid 65532, as the chart sets).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /out/ ./
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/app/admissionguard"]
CMD ["serve"]
