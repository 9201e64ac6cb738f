namespace AdmissionGuard.Evaluation;

public enum ImageLocation
{
    Container,
    InitContainer,
    EphemeralContainer,
    ImageVolume,
}
