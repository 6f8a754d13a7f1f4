"""Video rooms: the capability link, the room's states, signaling, TURN."""
