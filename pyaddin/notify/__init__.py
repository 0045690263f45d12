"""Group robots: who each person is in each chat app, which robots to post to, and what they say."""
