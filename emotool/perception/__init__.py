"""Face detection and facial-expression classification on embedded CPU models."""
