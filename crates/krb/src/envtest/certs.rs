//! The certificates a test control plane needs, made in-process (no openssl, no cfssl).
//!
//! One CA signs both the serving certificate and the client certificates, and is also the
//! apiserver's `--client-ca-file`: nothing here has to resist an attacker, it only has to let
//! the kube client verify the server and the server authenticate users by certificate.
//! ECDSA P-256 keys in PKCS#8, like controller-runtime's `TinyCA`.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use super::error::{Error, Result};

/// A certificate and its private key, both PEM.
#[derive(Clone)]
pub(crate) struct CertKey {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
}

pub(crate) struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private keys into test logs.
        f.debug_struct("CertKey").finish_non_exhaustive()
    }
}

impl Pki {
    pub(crate) fn new() -> Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "krb-envtest-ca");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "krb-envtest");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        Ok(Pki { ca })
    }

    pub(crate) fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// Serving certificate for `localhost` and `127.0.0.1`, the names clients dial.
    pub(crate) fn serving(&self) -> Result<CertKey> {
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "krb-envtest-apiserver");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// Client certificate the apiserver maps to user `name` in `groups` (CN and O, as
    /// Kubernetes' x509 authenticator reads them). rcgen keeps one value per attribute type,
    /// so a second group goes into an attribute with the Organization OID spelled as a custom
    /// type; Go's x509 parser folds both into `Subject.Organization`.
    pub(crate) fn client(&self, name: &str, groups: &[&str]) -> Result<CertKey> {
        if groups.len() > 2 {
            return Err(Error::Unsupported(format!(
                "user {name:?}: at most 2 groups fit in an envtest client certificate, got {}; \
                 bind RBAC roles to the user instead",
                groups.len()
            )));
        }
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        if let Some(g) = groups.first() {
            params.distinguished_name.push(DnType::OrganizationName, *g);
        }
        if let Some(g) = groups.get(1) {
            params
                .distinguished_name
                .push(DnType::CustomDnType(vec![2, 5, 4, 10]), *g);
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Result<CertKey> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.ca)?;
        Ok(CertKey {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// The service-account token signing key pair: (public key PEM, private key PEM). The
/// apiserver signs TokenRequest tokens with the private key and verifies them with the public.
pub(crate) fn service_account_key() -> Result<(String, String)> {
    let key = KeyPair::generate()?;
    Ok((key.public_key_pem(), key.serialize_pem()))
}
