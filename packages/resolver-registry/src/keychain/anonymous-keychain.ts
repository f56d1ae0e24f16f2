import type { Keychain } from './keychain.js';

/** A keychain that never has credentials: requests go out anonymously (the end of every chain). */
export const anonymousKeychain: Keychain = {
  async credentialsFor() {
    return undefined;
  },
};
