"""The voice loop and its ports: devices, speech out, speech in."""
