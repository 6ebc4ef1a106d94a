// Every test process sees the same, quiet, deterministic environment.
process.env.TZ = 'UTC';
process.env.ADMIN_USERNAME = 'admin';
process.env.ADMIN_PASSWORD = 'admin-password-for-tests';
process.env.JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
process.env.MASTER_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'fatal';
process.env.MARKET_FEED_INTERVAL_MS = process.env.MARKET_FEED_INTERVAL_MS ?? '100';
