package dev.strata.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.strata.auth.domain.Account;
import dev.strata.auth.domain.Session;
import dev.strata.auth.service.SessionService;
import dev.strata.auth.domain.User;

/** Request and response bodies of the public API. */
public final class Dto {

    private Dto() {
    }

    public record SignUpRequest(@NotBlank @Email @Size(max = 254) String email,
            // length is checked in code points by the service, not UTF-16 units
            @NotNull String password, @Size(max = 200) String name) {
        public SignUpRequest {
            email = email == null ? null : email.trim();
        }
    }

    public record SignInRequest(@NotBlank @Size(max = 254) String email, @NotNull @Size(max = 1024) String password) {
        public SignInRequest {
            email = email == null ? null : email.trim();
        }
    }

    /** {@code unlinkAccounts}: also remove every linked sign-in method (default false). */
    public record PasswordChangeRequest(@NotNull @Size(max = 1024) String currentPassword,
            @NotNull String newPassword, Boolean unlinkAccounts) {
    }

    public record CodeRequest(@NotNull @Pattern(regexp = "email|phone", message = "must be email or phone") String channel,
            @Pattern(regexp = "\\+[1-9][0-9]{6,14}", message = "must be an E.164 number like +4915112345678") String phone) {
    }

    public record CodeCheck(@NotNull @Pattern(regexp = "email|phone", message = "must be email or phone") String channel,
            @Pattern(regexp = "\\+[1-9][0-9]{6,14}", message = "must be an E.164 number like +4915112345678") String phone,
            @NotNull @Pattern(regexp = "[0-9]{6}", message = "must be 6 digits") String code) {
    }

    public record PasswordResetRequest(@NotBlank @Email @Size(max = 254) String email) {
        public PasswordResetRequest {
            email = email == null ? null : email.trim();
        }
    }

    /** The new password; length is checked in code points by the service, like at sign-up. */
    public record PasswordResetRedemption(@NotNull String password) {
    }

    public record EmailChangeRequest(@NotBlank @Email @Size(max = 254) String newEmail,
            @NotNull @Size(max = 1024) String password) {
        public EmailChangeRequest {
            newEmail = newEmail == null ? null : newEmail.trim();
        }
    }

    public record EmailChangeConfirmation(
            @NotNull @Pattern(regexp = "[0-9]{6}", message = "must be 6 digits") String code) {
    }

    public record ReauthenticationRequest(@NotNull @Size(max = 1024) String password) {
    }

    public record BootstrapRequest(@NotBlank @Size(max = 200) String token) {
    }

    public record BanRequest(@Size(max = 500) String reason) {
    }

    public record UserView(UUID id, String email, boolean emailVerified, String phone, boolean phoneVerified,
            String name, Set<String> roles, Instant createdAt) {
        public static UserView of(User u) {
            return new UserView(u.id, u.email, u.emailVerified, u.phone, u.phoneVerified, u.name, u.roleSet(),
                    u.createdAt);
        }
    }

    public record AdminUserView(UUID id, String email, Set<String> roles, boolean banned, Instant bannedAt,
            String banReason) {
        public static AdminUserView of(User u) {
            return new AdminUserView(u.id, u.email, u.roleSet(), u.banned(), u.bannedAt, u.banReason);
        }
    }

    public record SessionView(UUID id, Instant createdAt, Instant lastSeenAt, Instant expiresAt, String ip,
            String userAgent, boolean current) {
        public static SessionView of(SessionService.Live live, String currentId) {
            Session s = live.session();
            return new SessionView(s.id, s.createdAt, live.lastSeenAt(), s.expiresAt, s.ip, s.userAgent,
                    s.id.toString().equals(currentId));
        }
    }

    public record SignInResponse(String token, String tokenType, UUID sessionId, UUID userId, Instant expiresAt) {
    }

    public record CurrentSession(String id, String userId, String email, Set<String> roles) {
    }

    /** Sessions revoked, linked accounts removed, and linked accounts left (a client may offer to remove them). */
    public record Revoked(int revoked, int unlinkedAccounts, int linkedAccounts) {
        public static Revoked of(dev.strata.auth.service.UserService.SignedOut o) {
            return new Revoked(o.revoked(), o.unlinkedAccounts(), o.linkedAccounts());
        }
    }

    public record AccountView(UUID id, String provider, String accountId, String email, Instant linkedAt) {
        public static AccountView of(Account a) {
            return new AccountView(a.id, a.providerId, a.accountId, a.email, a.createdAt);
        }
    }

    public record AccountList(List<AccountView> accounts) {
    }

    public record Authorization(String authorizationUrl, Instant expiresAt) {
    }

    static final String ADDRESS = "0x[0-9a-fA-F]{40}";
    static final String ADDRESS_MESSAGE = "must be 0x followed by 40 hex digits";

    public record WalletChallengeRequest(@NotNull @Pattern(regexp = ADDRESS, message = ADDRESS_MESSAGE) String address) {
    }

    public record WalletLinkRequest(@NotNull @Pattern(regexp = ADDRESS, message = ADDRESS_MESSAGE) String address,
            @NotNull @Pattern(regexp = "0x[0-9a-fA-F]{130}", message = "must be 0x followed by 65 bytes in hex")
            String signature) {
    }

    public record WalletChallenge(String address, String message, Instant expiresAt) {
        public static WalletChallenge of(dev.strata.auth.service.WalletService.Challenge c) {
            return new WalletChallenge(c.address(), c.message(), c.expiresAt());
        }
    }

    public record WalletView(String address, Instant linkedAt) {
        public static WalletView of(dev.strata.auth.domain.Wallet w) {
            return new WalletView(w.address, w.linkedAt);
        }
    }

    public record WalletList(List<WalletView> wallets) {
    }

    /** What another service may know of a user ({@code GET /internal/users/{id}}). */
    public record InternalUser(UUID id, String email, boolean emailVerified) {
    }

    /** The owner of a wallet ({@code GET /internal/users/by-wallet/{address}}). */
    public record WalletOwner(UUID userId, String address) {
    }
}
