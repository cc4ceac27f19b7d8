"""What a running app's /metrics says, as a test reads it."""

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Api


async def counted(api: Api, sample_name: str, **labels: str) -> float:
    """The value of the sample `sample_name` with exactly these labels (0 when absent)."""
    exposition = (await api.http.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == sample_name and sample.labels == labels
    )
