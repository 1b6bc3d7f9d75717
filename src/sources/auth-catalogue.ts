/**
 * The auth-log messages Klaxon reads, one example of each family as its program writes it. The
 * README's table "What an auth log yields" is generated from these lines run through the parser
 * itself (src/docs/auth-log-table.ts), and a test keeps every sshd family and every account
 * program in this list, so the table cannot drift from the code.
 */
export interface CatalogueEntry {
  program: string;
  /** The message after `host program[pid]: `, as the program writes it. */
  message: string;
}

export const AUTH_LOG_CATALOGUE: readonly CatalogueEntry[] = [
  { program: 'sshd', message: 'Accepted publickey for alice from 192.0.2.10 port 50022 ssh2: ED25519 SHA256:q0sZ4bCk' },
  { program: 'sshd', message: 'Failed password for invalid user admin from 203.0.113.7 port 40112 ssh2' },
  { program: 'sshd', message: 'Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]' },
  { program: 'sshd', message: 'Invalid user oracle from 203.0.113.7 port 40200' },
  { program: 'sshd', message: 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.23  user=root' },
  { program: 'sshd', message: 'error: PAM: Authentication failure for illegal user test from 203.0.113.9' },
  { program: 'sshd', message: 'PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.23  user=root' },
  { program: 'sshd', message: 'error: maximum authentication attempts exceeded for root from 198.51.100.23 port 51522 ssh2 [preauth]' },
  { program: 'sshd', message: 'Disconnecting authenticating user root 198.51.100.23 port 51522: Too many authentication failures [preauth]' },
  { program: 'sshd', message: 'User deploy from 203.0.113.44 not allowed because not listed in AllowUsers' },
  { program: 'sshd', message: 'ROOT LOGIN REFUSED FROM 203.0.113.4' },
  { program: 'sshd', message: 'Received disconnect from 203.0.113.9 port 36530:3: com.jcraft.jsch.JSchException: Auth fail [preauth]' },
  { program: 'sshd', message: 'Received disconnect from 192.0.2.10 port 50022:11: disconnected by user' },
  { program: 'sshd', message: 'Disconnected from user alice 192.0.2.10 port 50022' },
  { program: 'sshd', message: 'Connection closed by invalid user admin 203.0.113.7 port 40112 [preauth]' },
  { program: 'sshd', message: 'Connection reset by 192.0.2.205 port 53000 [preauth]' },
  { program: 'sshd', message: 'Did not receive identification string from 192.0.2.203 port 51000' },
  { program: 'sshd', message: 'Unable to negotiate with 192.0.2.202 port 50822: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]' },
  { program: 'sshd', message: "Bad protocol version identification '\\026\\003\\001' from 192.0.2.204 port 52000" },
  { program: 'sshd', message: 'banner exchange: Connection from 192.0.2.201 port 43122: invalid format' },
  { program: 'sshd', message: 'Protocol major versions differ for 203.0.113.91 port 40001: SSH-2.0-OpenSSH_9.6 vs. SSH-1.5-Nmap-SSH1-Hostkey' },
  { program: 'sshd', message: 'fatal: Timeout before authentication for 203.0.113.94 port 40003' },
  { program: 'sshd', message: 'refused connect from 203.0.113.12 (203.0.113.12)' },
  { program: 'sshd', message: 'Address 203.0.113.45 maps to host.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!' },
  { program: 'sshd', message: 'drop connection #0 from [203.0.113.99]:54012 on [192.0.2.20]:22 penalty: failed authentication' },
  { program: 'sshd', message: 'srclimit_penalise: ipv4: new 203.0.113.0/24 active penalty of 30.000 seconds for penalty: failed authentication' },
  { program: 'sshd', message: 'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)' },
  { program: 'sudo', message: 'alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update' },
  { program: 'sudo', message: 'eve : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/bash' },
  { program: 'sudo', message: 'eve : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/bash' },
  { program: 'su', message: 'FAILED SU (to root) bob on pts/0' },
  { program: 'su', message: 'pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost=  user=root' },
  { program: 'su', message: '(to root) bob on pts/0' },
  { program: 'useradd', message: 'new user: name=mallory, UID=1002, GID=1002, home=/home/mallory, shell=/bin/bash, from=/dev/pts/0' },
  { program: 'groupadd', message: 'new group: name=devs, GID=1003' },
  { program: 'usermod', message: "add 'mallory' to group 'sudo'" },
  { program: 'gpasswd', message: 'user mallory added by root to group wheel' },
  { program: 'userdel', message: "delete user 'mallory'" },
  { program: 'groupdel', message: "group 'devs' removed" },
  { program: 'passwd', message: 'pam_unix(passwd:chauthtok): password changed for alice' },
  { program: 'chpasswd', message: 'pam_unix(chpasswd:chauthtok): password changed for bob' },
  { program: 'chage', message: 'changed password expiry for alice' },
  { program: 'systemd-logind', message: 'New session 7 of user alice.' },
  { program: 'systemd-logind', message: 'Removed session 7.' },
  { program: 'CRON', message: 'pam_unix(cron:session): session closed for user root' },
  { program: 'polkitd', message: 'Registered Authentication Agent for unix-session:7 (system bus name :1.52)' },
];
