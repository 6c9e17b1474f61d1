"""One package per demo (its Demo class, presets, lesson, commands); models.registry finds them here."""
