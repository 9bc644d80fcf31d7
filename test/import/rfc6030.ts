// The examples of RFC 6030 (PSKC) as the tests read them, with the values
// of the RFC's figures. Figures 6 and 7 are encrypted: figure 6 under the
// pre-shared key 12345678901234567890123456789012 (hex), figure 7 under a key
// derived from the password "qwerty". Figure 8 is encrypted to a certificate
// whose private key the RFC does not give.

const PLAIN_SEED = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA='; // "12345678901234567890", the RFC 4226 seed

function container(body: string, ns = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" Id="exampleID1" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"${ns}>
${body}
</KeyContainer>
`;
}

function hotpKey(id: string, data: string, extra = '', length = 8, issuer = 'Issuer'): string {
  return `    <Key Id="${id}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>${issuer}</Issuer>
      <AlgorithmParameters><ResponseFormat Length="${length}" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>${data}</Data>${extra}
    </Key>`;
}

const device = (serial: string, manufacturer = 'Manufacturer') => `    <DeviceInfo><Manufacturer>${manufacturer}</Manufacturer><SerialNo>${serial}</SerialNo></DeviceInfo>`;
const plainSecret = (b64 = PLAIN_SEED) => `<Secret><PlainValue>${b64}\n      </PlainValue></Secret>`;
const counter0 = '<Counter><PlainValue>0</PlainValue></Counter>';

export const PSK = '12345678901234567890123456789012';
export const PASSWORD = 'qwerty';

export const FIGURES: Record<string, string> = {
  // Basic PSKC Key Container Example: a four-byte plain secret, no device.
  figure2: container(`  <KeyPackage>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer-A</Issuer>
      <Data>${plainSecret('MTIzNA==')}</Data>
    </Key>
  </KeyPackage>`),
  // Supplementary data: device, crypto module, user ids.
  figure3: container(`  <KeyPackage>
    <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo><UserId>DC=example-bank,DC=net</UserId></DeviceInfo>
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
${hotpKey('12345678', plainSecret() + counter0, '\n      <UserId>UID=jsmith,DC=example-bank,DC=net</UserId>')}
  </KeyPackage>`),
  // Key derivation values: the secret is kept outside the file.
  figure4: container(`  <KeyPackage>
${device('987654321')}
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer</Issuer>
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <KeyProfileId>keyProfile1</KeyProfileId>
      <KeyReference>MasterKeyLabel</KeyReference>
      <Data>${counter0}</Data>
      <Policy><KeyUsage>OTP</KeyUsage></Policy>
    </Key>
  </KeyPackage>`),
  // Non-encrypted HOTP secret with a PIN, the PIN in a key package of its own.
  figure5: container(`  <KeyPackage>
${device('987654321')}
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
${hotpKey('12345678', plainSecret() + counter0, '\n      <Policy><PINPolicy MinLength="4" MaxLength="4" PINKeyId="123456781" PINEncoding="DECIMAL" PINUsageMode="Local"/><KeyUsage>OTP</KeyUsage></Policy>')}
  </KeyPackage>
  <KeyPackage>
${device('987654321')}
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
    <Key Id="123456781" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:pin">
      <Issuer>Issuer</Issuer>
      <AlgorithmParameters><ResponseFormat Length="4" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data><Secret><PlainValue>MTIzNA==</PlainValue></Secret></Data>
    </Key>
  </KeyPackage>`),
  // AES-128-CBC under a pre-shared key, HMAC-SHA1 MAC.
  figure6: container(
    `  <EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <MACKey>
      <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <xenc:CipherData><xenc:CipherValue>
ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX
      </xenc:CipherValue></xenc:CipherData>
    </MACKey>
  </MACMethod>
  <KeyPackage>
${device('987654321')}
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
${hotpKey(
  '12345678',
  `<Secret>
        <EncryptedValue>
          <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
          <xenc:CipherData><xenc:CipherValue>
AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv
          </xenc:CipherValue></xenc:CipherData>
        </EncryptedValue>
        <ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=</ValueMAC>
      </Secret>${counter0}`,
)}
  </KeyPackage>`,
    ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"',
  ),
  // PBKDF2 from a password, prefixed element names.
  figure7: `<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
  xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Version="1.0">
  <pskc:EncryptionKey>
    <xenc11:DerivedKey>
      <xenc11:KeyDerivationMethod Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
        <pkcs5:PBKDF2-params>
          <Salt><Specified>Ej7/PEpyEpw=</Specified></Salt>
          <IterationCount>1000</IterationCount>
          <KeyLength>16</KeyLength>
          <PRF/>
        </pkcs5:PBKDF2-params>
      </xenc11:KeyDerivationMethod>
      <xenc:ReferenceList><xenc:DataReference URI="#ED"/></xenc:ReferenceList>
      <xenc11:MasterKeyName>My Password 1</xenc11:MasterKeyName>
    </xenc11:DerivedKey>
  </pskc:EncryptionKey>
  <pskc:MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <pskc:MACKey>
      <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <xenc:CipherData><xenc:CipherValue>2GTTnLwM3I4e5IO5FkufoOEiOhNj91fhKRQBtBJYluUDsPOLTfUvoU2dStyOwYZx</xenc:CipherValue></xenc:CipherData>
    </pskc:MACKey>
  </pskc:MACMethod>
  <pskc:KeyPackage>
    <pskc:DeviceInfo><pskc:Manufacturer>TokenVendorAcme</pskc:Manufacturer><pskc:SerialNo>987654321</pskc:SerialNo></pskc:DeviceInfo>
    <pskc:CryptoModuleInfo><pskc:Id>CM_ID_001</pskc:Id></pskc:CryptoModuleInfo>
    <pskc:Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp" Id="123456">
      <pskc:Issuer>Example-Issuer</pskc:Issuer>
      <pskc:AlgorithmParameters><pskc:ResponseFormat Length="8" Encoding="DECIMAL"/></pskc:AlgorithmParameters>
      <pskc:Data>
        <pskc:Secret>
          <pskc:EncryptedValue Id="ED">
            <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData><xenc:CipherValue>oTvo+S22nsmS2Z/RtcoF8Hfh+jzMe0RkiafpoDpnoZTjPYZu6V+A4aEn032yCr4f</xenc:CipherValue></xenc:CipherData>
          </pskc:EncryptedValue>
          <pskc:ValueMAC>LP6xMvjtypbfT9PdkJhBZ+D6O4w=</pskc:ValueMAC>
        </pskc:Secret>
      </pskc:Data>
    </pskc:Key>
  </pskc:KeyPackage>
</pskc:KeyContainer>
`,
  // Encrypted to an X.509 certificate (RSA 1.5); the RFC does not publish the private key.
  figure8: container(
    `  <EncryptionKey><ds:X509Data><ds:X509Certificate>MIIB5zCCAVCgAwIBAgIESZp/vDANBgkqhkiG9w0BAQUFADA4</ds:X509Certificate></ds:X509Data></EncryptionKey>
  <KeyPackage>
${device('987654321', 'TokenVendorAcme')}
    <Key Id="MBK000000001" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Example-Issuer</Issuer>
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data><Secret><EncryptedValue>
        <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa_1_5"/>
        <xenc:CipherData><xenc:CipherValue>hJ+fvpoMPMO9BYpK2rdyQYGIxiATYHTHC7e/sPLKYo5/r1v+4xTYG3gJolCWuVMydJ7Ta0GaiBPHcWa8ctCVYmHKfSz5fdeV5nqbZApe6dofTqhRwZK6Yx4ufevi91cjN2vBpSxYafvN3c3+xIgk0EnTV4iVPRCR0rBwyfFrPc4=</xenc:CipherValue></xenc:CipherData>
      </EncryptedValue></Secret>${counter0}</Data>
    </Key>
  </KeyPackage>`,
    ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"',
  ),
  // A digital signature over the container (not verified here) and a six-digit key.
  figure9: container(
    `  <KeyPackage>
${device('0755225266', 'TokenVendorAcme')}
${hotpKey('123', plainSecret() + counter0, '', 6, 'Example-Issuer')}
  </KeyPackage>
  <Signature>
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
      <ds:Reference URI="#Device"><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><ds:DigestValue>j6lwx3rvEPO0vKtMup4NbeVu8nk=</ds:DigestValue></ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue>j6lwx3rvEPO0vKtMup4NbeVu8nk=</ds:SignatureValue>
    <ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=Example.com,C=US</ds:X509IssuerName><ds:X509SerialNumber>12345678</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo>
  </Signature>`,
    ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"',
  ),
  // Bulk provisioning: four keys, two of them on the same device, validity periods.
  figure10: container(
    [
      ['654321', '1', '2006-05-01', '2006-05-31'],
      ['123456', '2', '2006-05-01', '2006-05-31'],
      ['9999999', '3', '2006-03-01', '2006-03-31'],
      ['9999999', '4', '2006-04-01', '2006-04-30'],
    ]
      .map(
        ([serial, id, start, end]) => `  <KeyPackage>
${device(serial!, 'TokenVendorAcme')}
${hotpKey(id!, plainSecret() + counter0, `\n      <Policy><StartDate>${start}T00:00:00Z</StartDate><ExpiryDate>${end}T00:00:00Z</ExpiryDate></Policy>`)}
  </KeyPackage>`,
      )
      .join('\n'),
  ),
};
