//! CGRateS-compatible Diameter agent: configuration, request processors and backends.
