// Tests never touch the public Mainline DHT, whatever a test's own options say.
process.env.MOSAIK_DHT = 'off'
