"""One package per outside system (GitHub, AWS, the Pulumi engine); they never import each other."""
