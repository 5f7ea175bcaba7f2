"""The API resources behind the façade: orders and async actions."""
