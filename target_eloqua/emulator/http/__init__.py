"""The HTTP side of the emulator: routes, wire forms and the server, over the model."""
